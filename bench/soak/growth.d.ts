export declare const RSS_FACTOR: number;
export declare const RSS_SLACK_MB: number;
export declare const FD_SLACK: number;

export interface Sample {
  t_s: number;
  rss_mb: number;
  fds: number;
}

export interface GrowthVerdict {
  passed: boolean;
  failures: string[];
  rss: {
    first_third_median_mb: number;
    last_third_median_mb: number;
    limit_mb: number;
    growth_mb: number;
  } | null;
  fds: { first_third_median: number; last_third_median: number; limit: number } | null;
}

/** The soak's growth rule (see growth.js). */
export declare function judgeGrowth(samples: Sample[], warmupS: number): GrowthVerdict;
export declare function median(values: number[]): number;
