/** Fund names and codes as the mainland market spells them (company + theme + share class). */
import type { FundType } from "@/contracts/funds";
import { MARKET_INDEX } from "./market";
import type { Rng } from "./random";

const COMPANIES = [
  "华夏",
  "南方",
  "易方达",
  "嘉实",
  "博时",
  "广发",
  "汇添富",
  "富国",
  "招商",
  "工银瑞信",
  "建信",
  "鹏华",
  "中欧",
  "景顺长城",
  "兴证全球",
  "交银施罗德",
  "银华",
  "大成",
  "华安",
  "国泰",
  "天弘",
  "诺安",
  "长城",
  "融通",
  "前海开源",
  "华宝",
  "万家",
  "中银",
  "平安",
  "东方红",
  "永赢",
  "浦银安盛",
  "农银汇理",
  "财通",
  "国投瑞银",
  "华泰柏瑞",
  "申万菱信",
  "泰康",
  "睿远",
  "圆信永丰",
] as const;
const STOCK_THEMES = [
  "成长",
  "价值",
  "蓝筹精选",
  "消费升级",
  "医疗健康",
  "新能源",
  "科技创新",
  "高端制造",
  "优质企业",
  "核心资产",
  "红利",
  "低碳环保",
  "半导体",
  "国防军工",
  "中小盘",
  "行业轮动",
  "内需增长",
  "品质生活",
  "研究精选",
  "专精特新",
  "数字经济",
  "大盘",
  "质量优选",
  "创新驱动",
  "先进制造",
  "周期精选",
  "金融地产",
  "新消费",
  "智能汽车",
  "生物科技",
] as const;
const HYBRID_THEMES = [
  "稳健",
  "灵活配置",
  "平衡",
  "优势",
  "新动力",
  "价值精选",
  "均衡成长",
  "安心回报",
  "动态",
  "新兴产业",
  "策略精选",
  "趋势",
  "领先",
  "双核",
  "鑫享",
  "稳进",
  "多策略",
  "核心优选",
  "景气",
  "远见",
  "睿选",
  "嘉享",
  "配置",
  "优选回报",
  "长期价值",
  "竞争优势",
  "盛世",
  "添益",
  "新经济",
  "恒久",
] as const;
const BOND_THEMES = [
  "纯债",
  "信用",
  "增利",
  "稳利",
  "安心收益",
  "短债",
  "中短债",
  "双债增强",
  "可转债",
  "恒利",
  "季季红",
  "裕利",
  "丰利",
  "稳健添利",
  "聚利",
  "安盈",
  "利率债",
  "月月盈",
  "信用精选",
  "长债",
] as const;
const MONEY_THEMES = ["现金宝", "", "天天利", "添利宝", "日日鑫", "现金增利", "安心", "财富宝", "理财宝", "活期宝", "薪金宝", "收益宝"] as const;
/** Names the tracked indices go by in fund names. */
const INDEX_LABELS: Record<string, string> = {
  "000300.SH": "沪深300",
  "399006.SZ": "创业板",
  "399005.SZ": "中小板",
  "000001.SH": "上证综指",
  "399001.SZ": "深证成指",
};

/** How an index fund tracks its index. */
export type IndexStyle = "etf" | "feeder" | "enhanced" | "plain";

/** A plausible fund name for a type (index funds name their index and style). */
export function fundName(rng: Rng, type: FundType, opts: { index?: string; style?: IndexStyle }): string {
  const co = rng.pick(COMPANIES);
  const ac = rng.weighted([
    ["A", 6],
    ["C", 3],
    ["", 1],
  ] as const);
  switch (type) {
    case "stock":
      return `${co}${rng.pick(STOCK_THEMES)}股票${ac}`;
    case "hybrid":
      return `${co}${rng.pick(HYBRID_THEMES)}混合${ac}`;
    case "bond":
      return `${co}${rng.pick(BOND_THEMES)}债券${ac === "" ? "A" : ac}`;
    case "money":
      return `${co}${rng.pick(MONEY_THEMES)}货币${rng.weighted([
        ["A", 3],
        ["B", 1],
      ] as const)}`;
    case "index": {
      const label = INDEX_LABELS[opts.index ?? MARKET_INDEX];
      switch (opts.style) {
        case "etf":
          return `${co}${label}ETF`;
        case "feeder":
          return `${co}${label}ETF联接${ac === "" ? "A" : ac}`;
        case "enhanced":
          return `${co}${label}指数增强${ac}`;
        default:
          return `${co}${label}指数${ac}`;
      }
    }
  }
}

const CODE_PREFIXES: Record<FundType | "etf", readonly (readonly [string, number])[]> = {
  stock: [
    ["00", 5],
    ["01", 3],
    ["16", 1],
    ["11", 1],
    ["26", 1],
  ],
  hybrid: [
    ["00", 5],
    ["01", 3],
    ["16", 1],
    ["11", 1],
    ["21", 1],
  ],
  bond: [
    ["00", 4],
    ["01", 3],
    ["11", 1],
    ["16", 1],
    ["25", 1],
  ],
  money: [
    ["00", 4],
    ["20", 1],
    ["27", 1],
    ["01", 2],
  ],
  index: [
    ["00", 4],
    ["01", 3],
    ["16", 2],
    ["11", 1],
  ],
  etf: [
    ["51", 3],
    ["159", 2],
  ],
};

/** A six-digit fund code with a prefix typical of the type. */
export function fundCode(rng: Rng, kind: FundType | "etf"): string {
  const prefix = rng.weighted(CODE_PREFIXES[kind]);
  let rest = "";
  for (let i = prefix.length; i < 6; i++) rest += String(rng.int(10));
  return prefix + rest;
}

// ---------------------------------------------------------------------------------------
