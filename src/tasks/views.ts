/**
 * How each built-in type's result rows and result read (src/contracts/resultView.ts): one table
 * for all of them, so the run page, the CSV export and the README's list agree. Tests check that
 * every built-in type declares one (tests/unit/result-views.test.ts) and that the columns name
 * the fields the handlers write (tests/integration/domain-tasks.test.ts).
 */
import { ResultView, type ResultViewInput } from "@/contracts/resultView";

type Column = ResultViewInput["columns"] extends (infer C)[] | undefined ? C : never;

const num = (field: string, zh: string, en: string, digits?: number): Column => ({ field, title: { zh, en }, kind: "number", digits });
const pct = (field: string, zh: string, en: string, signed = false): Column => ({ field, title: { zh, en }, kind: "percent", digits: 2, signed });
const money = (field: string, zh: string, en: string, signed = false): Column => ({ field, title: { zh, en }, kind: "money", digits: 2, signed });
const text = (field: string, zh: string, en: string): Column => ({ field, title: { zh, en }, kind: "text" });
const date = (field: string, zh: string, en: string): Column => ({ field, title: { zh, en }, kind: "date" });
const fund = (field = "fund_code"): Column => ({ field, title: { zh: "基金代码", en: "Fund" }, kind: "link", link: "fund" });
const fundName = text("fund_name", "基金名称", "Fund name");
const asOf = date("as_of", "截至", "As of");

/** Signal names and directions in both languages (the sniffer's words). */
const SIGNAL_LABELS = {
  buy: { zh: "买入", en: "Buy" },
  sell: { zh: "卖出", en: "Sell" },
  ma_cross: { zh: "均线交叉", en: "MA cross" },
  macd_cross: { zh: "MACD交叉", en: "MACD cross" },
  rsi: { zh: "RSI", en: "RSI" },
  bollinger: { zh: "布林带", en: "Bollinger" },
  drawdown: { zh: "回撤", en: "Drawdown" },
  momentum: { zh: "动量", en: "Momentum" },
};

/** Screening strategies by id (src/domain/strategies.ts names them in Chinese). */
const SCREEN_LABELS = {
  ma_golden_cross: { zh: "MA金叉", en: "MA golden cross" },
  rsi_oversold_rebound: { zh: "RSI超卖反弹", en: "RSI oversold rebound" },
  momentum_top_n: { zh: "动量前N", en: "Momentum top N" },
  low_drawdown: { zh: "低回撤", en: "Low drawdown" },
};
/** Backtest strategies by id (the backtest page's words). */
const BACKTEST_LABELS = {
  ma_cross: { zh: "均线交叉", en: "MA cross" },
  rsi: { zh: "RSI 超买超卖", en: "RSI overbought/oversold" },
  buy_hold: { zh: "买入持有", en: "Buy and hold" },
  momentum: { zh: "动量", en: "Momentum" },
};

/** A sync's counts (every feed type returns the same). */
const feedSummary: Column[] = [
  text("dataset", "数据集", "Dataset"),
  date("date", "日期", "Date"),
  text("source", "来源", "Source"),
  num("fetched", "抓取行数", "Fetched"),
  num("stored", "存储行数", "Stored"),
  num("inserted", "新增", "Inserted"),
  num("updated", "更新", "Updated"),
  num("unchanged", "未变", "Unchanged"),
  num("filtered_out", "过滤", "Filtered out"),
  num("duplicates", "重复", "Duplicates"),
];
const code = text("code", "代码", "Code");
const day = date("date", "日期", "Date");

/** Every backtest figure (BacktestMetrics), as a result row holds them and (under `metrics.`) as the result does. */
function backtestFigures(prefix: string): Column[] {
  const p = prefix;
  return [
    pct(`${p}total_return`, "总收益", "Total return", true),
    pct(`${p}annualized_return`, "年化收益", "Annualised", true),
    pct(`${p}max_drawdown`, "最大回撤", "Max drawdown"),
    num(`${p}sharpe`, "夏普", "Sharpe", 2),
    num(`${p}sortino`, "索提诺", "Sortino", 2),
    num(`${p}calmar`, "卡玛", "Calmar", 2),
    pct(`${p}volatility`, "波动率", "Volatility"),
    pct(`${p}win_rate`, "胜率", "Win rate"),
    num(`${p}profit_factor`, "盈亏比", "Profit factor", 2),
    num(`${p}trades`, "交易次数", "Trades"),
    num(`${p}round_trips`, "完整交易", "Round trips"),
    pct(`${p}exposure`, "持仓占比", "Exposure"),
    pct(`${p}buy_hold_return`, "买入持有收益", "Buy and hold", true),
    text(`${p}benchmark`, "基准", "Benchmark"),
    pct(`${p}benchmark_return`, "基准收益", "Benchmark return", true),
    pct(`${p}excess_return`, "超额收益", "Excess return", true),
    num(`${p}beta`, "贝塔", "Beta", 2),
    pct(`${p}alpha`, "阿尔法", "Alpha", true),
    pct(`${p}tracking_error`, "跟踪误差", "Tracking error"),
    num(`${p}information_ratio`, "信息比率", "Information ratio", 2),
    date(`${p}max_drawdown_peak`, "回撤起点", "Drawdown peak"),
    date(`${p}max_drawdown_trough`, "回撤低点", "Drawdown trough"),
    date(`${p}max_drawdown_recovery`, "回撤修复", "Recovered"),
    num(`${p}max_drawdown_days`, "回撤天数", "Drawdown days"),
    num(`${p}days`, "交易日数", "Days"),
  ];
}

const INPUT: Record<string, ResultViewInput> = {
  noop: {},
  sleep: {
    columns: [num("i", "序号", "Index"), num("attempt", "尝试", "Attempt")],
    summary: [num("slept_ms", "耗时 (ms)", "Slept (ms)"), num("rows", "结果行数", "Rows")],
  },
  busy: { summary: [num("iterations", "迭代次数", "Iterations"), num("ms", "耗时 (ms)", "Time (ms)")] },
  flaky: { summary: [num("attempt", "成功于第几次", "Succeeded on attempt")] },
  log_flood: { summary: [num("lines", "日志行数", "Lines")] },
  signals_batch: {
    columns: [
      fund(),
      {
        field: "signals",
        title: { zh: "信号", en: "Signals" },
        kind: "tags",
        item: { value: "direction", label: "name", detail: "value" },
        colors: { buy: "red", sell: "green" },
        labels: SIGNAL_LABELS,
        hide_others: true,
      },
      {
        field: "missing",
        title: { zh: "数据", en: "Data" },
        kind: "tags",
        colors: { true: "orange" },
        labels: { true: { zh: "无净值", en: "No NAV" } },
        hide_others: true,
      },
      asOf,
    ],
    summary: [
      num("funds", "基金数", "Funds"),
      num("buy", "买入信号", "Buy signals"),
      num("sell", "卖出信号", "Sell signals"),
      num("missing", "无数据", "No data"),
      asOf,
    ],
  },
  strategy_screen: {
    columns: [num("rank", "排名", "Rank"), fund(), fundName, num("score", "得分", "Score", 4), asOf],
    sort: { field: "rank" },
    // Each strategy adds its own figures (sma_short, rsi, momentum, …) after these.
    more: true,
    summary: [
      { field: "strategy", title: { zh: "策略", en: "Strategy" }, kind: "tags", colors: {}, labels: SCREEN_LABELS },
      num("evaluated", "参与计算", "Evaluated"),
      num("matched", "命中", "Matched"),
      asOf,
    ],
  },
  backtest: {
    columns: [fund(), fundName, { field: "equity_spark", title: { zh: "净值走势", en: "Equity" }, kind: "sparkline" }, ...backtestFigures("")],
    summary: [
      fund(),
      fundName,
      { field: "strategy", title: { zh: "策略", en: "Strategy" }, kind: "tags", colors: {}, labels: BACKTEST_LABELS },
      ...backtestFigures("metrics."),
      { field: "equity", title: { zh: "净值走势", en: "Equity" }, kind: "sparkline", item: { value: "value" } },
    ],
  },
  fund_nav_sync: {
    summary: [
      num("funds", "基金数", "Funds"),
      num("new_points", "新增净值点", "New points"),
      num("failed", "失败", "Failed"),
      { field: "failed_codes", title: { zh: "失败代码", en: "Failed codes" }, kind: "tags", colors: {} },
    ],
  },
  fund_basic_sync: {
    summary: [
      num("instruments", "品种数", "Instruments"),
      num("funds", "基金", "Funds"),
      num("stocks", "股票", "Stocks"),
      num("indices", "指数", "Indices"),
      num("created", "新增", "Created"),
      num("updated", "更新", "Updated"),
    ],
  },
  realtime_quotes_sync: {
    columns: [
      code,
      num("price", "价格", "Price", 3),
      { field: "change_pct", title: { zh: "涨跌幅", en: "Change" }, kind: "percent", unit: "points", digits: 2, signed: true },
      num("volume", "成交量", "Volume", 0),
      money("amount", "成交额", "Amount"),
      text("time", "时间", "Time"),
      day,
    ],
    summary: feedSummary,
  },
  financial_statements_sync: {
    columns: [
      code,
      date("period", "报告期", "Period"),
      money("revenue", "营业收入", "Revenue"),
      money("net_profit", "净利润", "Net profit", true),
      money("total_assets", "总资产", "Total assets"),
      money("total_equity", "净资产", "Total equity"),
      num("eps", "每股收益", "EPS", 3),
      num("roe", "ROE", "ROE", 2),
    ],
    summary: feedSummary,
  },
  top_list_sync: {
    columns: [
      code,
      text("name", "名称", "Name"),
      text("reason", "上榜原因", "Reason"),
      money("buy_amount", "买入额", "Bought"),
      money("sell_amount", "卖出额", "Sold"),
      money("net_amount", "净额", "Net", true),
      day,
    ],
    summary: feedSummary,
  },
  capital_flow_sync: {
    columns: [
      code,
      money("main_net_inflow", "主力净流入", "Main net inflow", true),
      money("super_large_net", "超大单净额", "Super large net", true),
      money("large_net", "大单净额", "Large net", true),
      money("medium_net", "中单净额", "Medium net", true),
      money("small_net", "小单净额", "Small net", true),
      day,
    ],
    summary: feedSummary,
  },
  retention_cleanup: {
    summary: [
      num("older_than_days", "保留天数", "Older than (days)"),
      num("tasks", "删除任务", "Tasks deleted"),
      num("runs", "删除执行", "Runs deleted"),
      num("log_lines", "删除日志行", "Log lines deleted"),
      num("result_rows", "删除结果行", "Result rows deleted"),
    ],
  },
  db_maintenance: {
    summary: [text("provider", "数据库", "Database"), { field: "steps", title: { zh: "步骤", en: "Steps" }, kind: "tags", colors: {} }],
  },
  group: {
    summary: [
      { field: "mode", title: { zh: "方式", en: "Mode" }, kind: "tags", colors: { sequence: "blue", parallel: "purple" } },
      { field: "tasks", title: { zh: "子任务", en: "Tasks" }, kind: "link", link: "task" },
    ],
  },
  bulk_action: {
    summary: [
      {
        field: "action",
        title: { zh: "操作", en: "Action" },
        kind: "tags",
        colors: { cancel: "orange", retry: "blue", delete: "red" },
        labels: { cancel: { zh: "取消", en: "Cancel" }, retry: { zh: "重试", en: "Retry" }, delete: { zh: "删除", en: "Delete" } },
      },
      num("matched", "匹配", "Matched"),
      num("done", "已处理", "Done"),
      num("cancel_requested", "其中请求取消（运行中）", "Of which cancel requested (running)"),
      num("skipped", "跳过（期间已变化）", "Skipped (changed meanwhile)"),
      num("transactions", "事务数", "Transactions"),
    ],
  },
  notify: {
    summary: [
      { field: "sent", title: { zh: "已发送", en: "Sent" }, kind: "tags", colors: { true: "green", false: "default" } },
      text("channel", "通道", "Channel"),
      { field: "already", title: { zh: "此前已送达", en: "Already delivered" }, kind: "tags", colors: { true: "default" } },
    ],
  },
};

/** The declared view of every built-in type, by type name (parsed: a bad declaration fails at load). */
export const BUILT_IN_VIEWS: Readonly<Record<string, ResultView>> = Object.fromEntries(
  Object.entries(INPUT).map(([name, v]) => [name, ResultView.parse(v)]),
);
