/** The style of a scrolling block of JSON or text (payloads, results, errors). */
import { THEME_VARS } from "../theme";

/** Monospace, scrolling, on the theme's fill colour. */
export const jsonBlock: React.CSSProperties = {
  margin: 0,
  maxHeight: 260,
  overflow: "auto",
  background: THEME_VARS.fill,
  padding: 8,
  borderRadius: 4,
  fontSize: 12,
  whiteSpace: "pre-wrap",
  wordBreak: "break-all",
};
