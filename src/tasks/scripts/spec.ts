/**
 * A script type as the server's catalogue file declares it (`scripts:` in config/tasks.yaml):
 * the program to run as an argv list, its working folder and environment, limits, and its
 * params, which become the type's payload schema. Payload values reach the program only as
 * whole argv elements in place of `{param}` placeholders (never through a shell), and a value
 * that would start with `-` is refused unless the param allows it, so a payload cannot slip an
 * option into the command line.
 */
import { z } from "zod";
import { TaskCategory } from "@/contracts/tasks";
import { Ymd } from "@/contracts/funds";
import { ResultColumn, ResultView } from "@/contracts/resultView";

const ParamName = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "lower-case letters, digits and _ (starting with a letter)");
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "an environment variable name");

/** One param: a payload field of the type. */
export const ScriptParam = z
  .object({
    type: z.enum(["string", "integer", "number", "boolean", "date", "enum"]),
    description: z.string().max(500).optional(),
    required: z.boolean().default(false),
    default: z.union([z.string().max(10_000), z.number(), z.boolean()]).optional(),
    /** enum: the allowed values. */
    values: z.array(z.string().min(1).max(200)).min(1).max(200).optional(),
    /** integer, number: bounds. */
    min: z.number().optional(),
    max: z.number().optional(),
    /** string: the longest value (default 1,000 characters). */
    max_length: z.number().int().min(1).max(10_000).default(1_000),
    /** Let a value start with `-` (an option-like argument, a negative number). */
    allow_dash: z.boolean().default(false),
    /** Masked (***) where the command line is shown. */
    secret: z.boolean().default(false),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === "enum" && !p.values) ctx.addIssue({ code: "custom", path: ["values"], message: "an enum param needs values" });
    if (p.type !== "enum" && p.values) ctx.addIssue({ code: "custom", path: ["values"], message: "values are for enum params only" });
    if (p.required && p.default !== undefined) ctx.addIssue({ code: "custom", path: ["default"], message: "a required param has no default" });
    if (p.default !== undefined && !paramSchema(p).safeParse(p.default).success)
      ctx.addIssue({ code: "custom", path: ["default"], message: `the default does not fit the param's type ${p.type}` });
  });
export type ScriptParam = z.output<typeof ScriptParam>;

/** One entry of `scripts:`. */
export const ScriptEntry = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "lower-case letters, digits and _ (starting with a letter)"),
    title: z.string().trim().min(1).max(100),
    description: z.string().max(1_000).optional(),
    category: TaskCategory.default("scripts"),
    queue: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/)
      .default("scripts"),
    /** The program and its arguments; `{param}` stands for a param's value. */
    command: z.array(z.string().min(1).max(4_000)).min(1).max(200),
    /** Working folder, relative to the project folder (default: the project folder). */
    cwd: z.string().min(1).max(500).optional(),
    /** Fixed environment values. */
    env: z.record(EnvName, z.string().max(10_000)).default({}),
    /** Variables passed through from the worker's environment; nothing else of it is. */
    env_from: z.array(EnvName).max(100).default([]),
    /** Variables the worker's environment must set for the type to run (else its schedules wait, disabled, saying which). */
    needs_env: z.array(EnvName).max(20).default([]),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(7 * 86_400_000)
      .default(3_600_000),
    max_attempts: z.number().int().min(1).max(100).default(1),
    priority: z.number().int().min(100).max(900).default(500),
    /** SIGTERM, then SIGKILL this long after (under the 30 s lease, so a rescue never overlaps a dying copy). */
    kill_grace_ms: z.number().int().min(0).max(20_000).default(10_000),
    /** The least role that may make a task of it. */
    role: z.enum(["operator", "admin"]).default("operator"),
    params: z.record(ParamName, ScriptParam).default({}),
    /** How the rows the script sends read (top-level fields of each row's data), as a built-in type declares them. */
    columns: z.array(ResultColumn).max(40).optional(),
    /** Fields of a row the columns do not name are shown after them. */
    more: z.boolean().optional(),
    /** The order the result table opens in: { field, order }. */
    sort: ResultView.shape.sort,
    /** How its result reads (fields or dotted paths of the JSON it returns). */
    summary: z.array(ResultColumn).max(40).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    e.command.forEach((arg, i) => {
      for (const name of placeholders(arg)) {
        const p = e.params[name];
        if (!p) ctx.addIssue({ code: "custom", path: ["command", i], message: `{${name}} names no param` });
        else if (!p.required && p.default === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["command", i],
            message: `{${name}} is used in the command, so the param must be required or have a default`,
          });
      }
    });
    if (placeholders(e.command[0]).length > 0)
      ctx.addIssue({ code: "custom", path: ["command", 0], message: "the program itself cannot come from a param" });
    // The view's own checks (top-level row fields, no field twice), reported at their lines.
    const view = ResultView.safeParse(viewInput(e));
    if (!view.success) for (const i of view.error.issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
    const dates = Object.entries(e.params).filter(([, p]) => p.type === "date");
    if (dates.length > 1)
      ctx.addIssue({ code: "custom", path: ["params"], message: "at most one date param (it is the type's as-of date for backfills)" });
  });
export type ScriptSpec = z.output<typeof ScriptEntry>;

/** The result view a script declares, or undefined when it declares none. */
export function scriptView(spec: ScriptSpec): ResultView | undefined {
  return spec.columns || spec.summary ? ResultView.parse(viewInput(spec)) : undefined;
}

function viewInput(e: Pick<ScriptSpec, "columns" | "more" | "summary" | "sort">) {
  return { columns: e.columns ?? [], more: e.more ?? false, summary: e.summary ?? [], ...(e.sort ? { sort: e.sort } : {}) };
}

const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,63})\}/g;

/** The param names an argv element refers to. */
export function placeholders(arg: string): string[] {
  return [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** A param's value as it goes into argv. */
function argText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The zod schema of one param's value (without required/default). */
function paramSchema(p: Pick<ScriptParam, "type" | "values" | "min" | "max" | "max_length" | "allow_dash">): z.ZodType {
  let s: z.ZodType;
  switch (p.type) {
    case "string":
      s = z
        .string()
        .max(p.max_length ?? 1_000)
        .refine((v) => !v.includes("\0"), "must not contain NUL");
      break;
    case "integer":
    case "number": {
      let n = p.type === "integer" ? z.number().int() : z.number().finite();
      if (p.min !== undefined) n = n.min(p.min);
      if (p.max !== undefined) n = n.max(p.max);
      s = n;
      break;
    }
    case "boolean":
      s = z.boolean();
      break;
    case "date":
      s = Ymd;
      break;
    case "enum":
      s = z.enum((p.values ?? []) as [string, ...string[]]);
      break;
  }
  // A value that looks like an option would be read as one by the program's argument parser.
  return p.allow_dash ? s : s.refine((v) => !argText(v).startsWith("-"), "must not start with - (the param does not allow_dash)");
}

/** The payload schema of a script type: its params, nothing else. */
export function payloadSchemaOf(params: Record<string, ScriptParam>): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, p] of Object.entries(params)) {
    let s = paramSchema(p);
    if (p.description) s = s.describe(p.description);
    shape[name] = p.default !== undefined ? s.default(p.default) : p.required ? s : s.optional();
  }
  return z.object(shape).strict() as unknown as z.ZodType<Record<string, unknown>>;
}

/**
 * The argv of a run: each `{param}` replaced by the payload's value, inside its own element
 * (an element stays one argument whatever the value holds). With `mask`, secret params show
 * as ***.
 */
export function argvOf(spec: ScriptSpec, payload: Record<string, unknown>, mask = false): string[] {
  return spec.command.map((arg) =>
    arg.replace(PLACEHOLDER, (whole, name: string) => {
      if (!(name in spec.params)) return whole;
      return mask && spec.params[name].secret ? "***" : argText(payload[name]);
    }),
  );
}
