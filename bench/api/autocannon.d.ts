// The part of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  }
  export interface RawRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }
  export interface RequestSpec extends RawRequest {
    setupRequest?: (req: RawRequest, context: Record<string, unknown>) => RawRequest;
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: RequestSpec[];
    title?: string;
    /** Called with each connection's client as it is made. */
    setupClient?: (client: Client) => void;
  }
  export interface Client {
    /** Each answer: its status, size and latency (ms, from the request's write to the answer). */
    on(event: 'response', f: (status: number, bytes: number, responseTime: number) => void): void;
  }
  export interface Result {
    title?: string;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  /** What a run resolves to with skipAggregateResult: counts and encoded histograms, for aggregateResult. */
  export interface RawResult {
    totalCompletedRequests: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Seconds. */
    duration: number;
  }
  function autocannon(opts: Options & { skipAggregateResult: true }): Promise<RawResult> & { stop(): void };
  function autocannon(opts: Options): Promise<Result> & { stop(): void };
  namespace autocannon {
    /** Merges raw results (their latency histograms included) into one result. */
    function aggregateResult(results: RawResult[], opts: { url: string; connections?: number }): Result;
  }
  export default autocannon;
}
