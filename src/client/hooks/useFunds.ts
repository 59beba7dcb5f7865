"use client";
/** React Query hook for the fund list (page-numbered, searchable). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FundJson, FundPage, NavJson } from "@/contracts/funds";
import { apiFetch } from "../api";

/** A fund as the list shows it. */
export type FundRow = FundJson;

/** One page of funds (or, with `kind`, indices or stocks) matching `q` (code prefix or part of the name) and `type`. */
export function useFundsQuery(q: string, type: string | undefined, page: number, pageSize: number, kind?: "fund" | "index" | "stock") {
  const params = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  if (q) params.set("q", q);
  if (type) params.set("type", type);
  if (kind) params.set("kind", kind);
  return useQuery({
    queryKey: ["funds", q, type, page, pageSize, kind ?? "fund"],
    queryFn: () => apiFetch<FundPage>(`/api/funds?${params}`),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** One instrument's unit, accumulated and adjusted NAV with its dividends and splits (null code: nothing fetched). */
export function useFundNavQuery(code: string | null) {
  return useQuery({
    queryKey: ["fund-nav", code],
    queryFn: () => apiFetch<NavJson>(`/api/funds/${encodeURIComponent(code ?? "")}/nav`),
    enabled: code !== null,
    staleTime: 60_000,
  });
}
