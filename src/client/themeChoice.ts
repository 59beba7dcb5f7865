/**
 * The theme a viewer chose, as the cookie keeps it. Plain values, no "use client": the root
 * layout (a server component) reads the cookie with them.
 */

/** What the viewer chose: a theme, or the system's preference. */
export type ThemeChoice = "light" | "dark" | "system";
export const THEME_COOKIE = "qtask_theme";

/** The cookie's value as a choice (anything else: system). */
export function themeChoiceOf(v: string | undefined): ThemeChoice {
  return v === "light" || v === "dark" ? v : "system";
}
