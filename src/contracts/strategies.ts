/** Screening strategies: the execute body. */
import { z } from "zod";

/** `POST /api/strategies/{id}/execute`. */
export const ExecuteStrategyBody = z.object({ params: z.record(z.string().max(40), z.number().finite()).optional() }).strict();
