/**
 * The strategy parameter forms: built from the declarations, checked in the browser with the
 * server's schema, so a value out of range or a pair out of order is shown at the field and
 * nothing is sent; the last values run are remembered per user.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { App } from "antd";
import { StrategyCard } from "@/client/domain/StrategiesPage";
import { MeProvider } from "@/client/me";
import { I18nProvider } from "@/client/i18n";
import { SCREEN_PARAMS } from "@/contracts/researchParams";
import { STRATEGIES } from "@/domain/strategies";
import type { StrategyJson } from "@/contracts/strategies";

const def = STRATEGIES.find((s) => s.id === "ma_golden_cross")!;
const strategy: StrategyJson = { ...def, param_specs: SCREEN_PARAMS.ma_golden_cross.specs, param_order: SCREEN_PARAMS.ma_golden_cross.order };

function wrap(onRun: (p: Record<string, number>) => void, userId = "1") {
  return render(
    <I18nProvider initial="zh">
      <App>
        <MeProvider me={{ kind: "user", id: userId, username: "u", role: "operator" }}>
          <StrategyCard s={strategy} selected={false} running={false} onRun={onRun} />
        </MeProvider>
      </App>
    </I18nProvider>,
  );
}

const field = (key: string) => screen.getByLabelText(key) as HTMLInputElement;
const type = (key: string, value: string) => {
  fireEvent.change(field(key), { target: { value } });
  fireEvent.blur(field(key));
};

afterEach(() => {
  window.localStorage.clear();
  vi.restoreAllMocks();
});

describe("StrategyCard parameters", () => {
  it("renders one field per declared parameter, the default as placeholder", () => {
    wrap(() => {});
    for (const s of SCREEN_PARAMS.ma_golden_cross.specs) expect(field(s.key).placeholder).toBe(String(s.default));
  });

  it("shows a range error at the field and sends nothing", () => {
    const onRun = vi.fn();
    wrap(onRun);
    type("lookback", "61");
    fireEvent.click(screen.getByTestId("run-ma_golden_cross"));
    expect(screen.getByText("lookback must be at most 60")).toBeTruthy();
    expect(onRun).not.toHaveBeenCalled();
  });

  it("checks the order of a pair against the defaults: ma_short 30 is not below the default ma_long 20", () => {
    const onRun = vi.fn();
    wrap(onRun);
    type("ma_short", "30");
    fireEvent.click(screen.getByTestId("run-ma_golden_cross"));
    expect(screen.getByText("ma_short must be less than ma_long")).toBeTruthy();
    expect(onRun).not.toHaveBeenCalled();
  });

  it("sends exactly the values typed, and remembers them for this user only", () => {
    const onRun = vi.fn();
    const first = wrap(onRun);
    type("ma_short", "10");
    type("ma_long", "60");
    fireEvent.click(screen.getByTestId("run-ma_golden_cross"));
    expect(onRun).toHaveBeenCalledWith({ ma_short: 10, ma_long: 60 });
    first.unmount();

    wrap(() => {});
    expect(field("ma_short").value).toBe("10");
    expect(field("ma_long").value).toBe("60");
    screen.getByTestId("run-ma_golden_cross");
  });

  it("does not show one user's values to another", () => {
    const onRun = vi.fn();
    const a = wrap(onRun, "1");
    type("ma_short", "10");
    fireEvent.click(screen.getByTestId("run-ma_golden_cross"));
    a.unmount();
    wrap(() => {}, "2");
    expect(field("ma_short").value).toBe("");
  });
});
