"use client";
/** React Query hook for the fund list (page-numbered, searchable). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FundJson, FundPage } from "@/contracts/funds";
import { apiFetch } from "../api";

/** A fund as the list shows it. */
export type FundRow = FundJson;

/** One page of funds matching `q` (code prefix or part of the name) and `type`. */
export function useFundsQuery(q: string, type: string | undefined, page: number, pageSize: number) {
  const params = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  if (q) params.set("q", q);
  if (type) params.set("type", type);
  return useQuery({
    queryKey: ["funds", q, type, page, pageSize],
    queryFn: () => apiFetch<FundPage>(`/api/funds?${params}`),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
