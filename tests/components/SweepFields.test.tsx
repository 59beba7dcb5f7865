/**
 * The sweep form's fields and preview: the texts become fixed params or axes, the preview counts
 * exactly what the server will make (skipped combinations named), and a sweep above the default
 * limit is flagged before anything is expanded or sent.
 */
import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { Form } from "antd";
import { I18nProvider } from "@/client/i18n";
import { SweepFields, SweepPreview, sweepFromTexts } from "@/client/domain/SweepFields";
import { BACKTEST_STRATEGY_PARAMS } from "@/contracts/researchParams";

const specs = BACKTEST_STRATEGY_PARAMS.ma_cross.specs;
const preview = (texts: Record<string, string>, funds: number) => {
  const { base, sweep } = sweepFromTexts(specs, texts);
  return render(
    <I18nProvider initial="zh">
      <SweepPreview base={base} sweep={sweep} funds={funds} />
    </I18nProvider>,
  );
};

describe("sweep fields", () => {
  it("splits the texts into fixed params and axes, and names an unreadable field", () => {
    expect(sweepFromTexts(specs, { ma_short: "5..20 step 5", ma_long: "60" })).toEqual({
      base: { ma_long: 60 },
      sweep: { ma_short: { from: 5, to: 20, step: 5 } },
      errors: {},
    });
    expect(sweepFromTexts(specs, { ma_short: "five" }).errors.ma_short).toMatch(/not a list of numbers or a range/);
  });

  it("previews the combinations, the skipped ones with the reason, and the task count", () => {
    preview({ ma_short: "5..20 step 5", ma_long: "10, 60, 120" }, 5);
    expect(screen.getByTestId("sweep-preview").textContent).toBe(
      "9 组参数（另有 3 组不合法，已跳过） × 5 只基金 = 45 个任务 — ma_short must be less than ma_long",
    );
  });

  it("flags a sweep above the limit without expanding it", () => {
    preview({ ma_short: "2..200", ma_long: "201..250" }, 5);
    expect(screen.getByTestId("sweep-preview").textContent).toMatch(/^9950 × 5 = 49750 · 超过单次扫描上限 10000 个任务/);
  });

  it("asks for at least one param with several values", () => {
    preview({ ma_short: "5" }, 5);
    expect(screen.getByText("至少有一个参数要取多个值")).toBeTruthy();
  });

  it("renders one text field per param with its error", () => {
    render(
      <I18nProvider initial="zh">
        <Form>
          <SweepFields specs={specs} texts={{ ma_short: "1..10" }} errors={{ ma_short: "ma_short must be at least 2 (value 1)" }} onChange={() => undefined} />
        </Form>
      </I18nProvider>,
    );
    expect((screen.getByLabelText("sweep ma_short") as HTMLInputElement).value).toBe("1..10");
    expect(screen.getByLabelText("sweep ma_long")).toBeTruthy();
    expect(screen.getByText("ma_short must be at least 2 (value 1)")).toBeTruthy();
  });
});
