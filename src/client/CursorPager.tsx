"use client";
/** Previous/next paging over a cursor-paginated list: a stack of the cursors that led here. */
import { useEffect, useState } from "react";
import { Button, Space } from "antd";
import { useT } from "./i18n";

/** The cursor of the current page, and the controls; the stack resets when `resetKey` changes (new filters). */
export function useCursorStack(resetKey: string) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => setCursors([null]), [resetKey]);
  return {
    cursor: cursors[cursors.length - 1],
    canPrev: cursors.length > 1,
    prev: () => setCursors((c) => c.slice(0, -1)),
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
  };
}

export function CursorPager({ stack, nextCursor }: { stack: ReturnType<typeof useCursorStack>; nextCursor: string | null | undefined }) {
  const t = useT();
  return (
    <Space style={{ marginTop: 12, display: "flex", justifyContent: "flex-end" }}>
      <Button size="small" disabled={!stack.canPrev} onClick={stack.prev}>
        {t.common.prev}
      </Button>
      <Button size="small" disabled={!nextCursor} onClick={() => nextCursor && stack.next(nextCursor)}>
        {t.common.next}
      </Button>
    </Space>
  );
}
