/** Screening strategies: how they are listed, the execute body, and the endpoints. */
import { z } from "zod";
import { endpoint } from "./endpoint";

/** One declared parameter (contracts/researchParams.ts). */
export const ParamSpecJson = z.object({
  key: z.string(),
  kind: z.enum(["integer", "number"]),
  min: z.number(),
  max: z.number(),
  step: z.number(),
  default: z.number(),
  zh: z.string(),
  en: z.string(),
});

/** A screening strategy with its default parameters and their declarations (type, range, description). */
export const StrategyJson = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  params: z.record(z.string(), z.number()),
  param_specs: z.array(ParamSpecJson),
  /** Pairs that must be in order: `less` < `than`. */
  param_order: z.array(z.object({ less: z.string(), than: z.string() })),
});
export type StrategyJson = z.infer<typeof StrategyJson>;

/** `POST /api/strategies/{id}/execute`. */
export const ExecuteStrategyBody = z.object({ params: z.record(z.string().max(40), z.number().finite()).optional() }).strict();

export const listStrategies = endpoint({
  method: "GET",
  path: "/api/strategies",
  role: "viewer",
  tag: "strategies",
  summary: "Screening strategies with their default parameters",
  response: z.object({ items: z.array(StrategyJson) }),
});

export const executeStrategy = endpoint({
  method: "POST",
  path: "/api/strategies/{id}/execute",
  role: "operator",
  audit: "strategy.execute",
  tag: "strategies",
  summary: "Screen all funds → 202 {task_id}; the matches are the task's result rows",
  params: z.object({ id: z.string().min(1).max(64) }),
  body: ExecuteStrategyBody,
  bodyLimit: 16 * 1024,
  response: z.object({ task_id: z.string() }),
});
