// Entry of a compute thread. Worker threads do not inherit tsx's loader, so register it
// here before loading the TypeScript thread module.
import { register } from "tsx/esm/api";

register();
const mod = await import("./compute-thread.ts");
export default mod.default;
