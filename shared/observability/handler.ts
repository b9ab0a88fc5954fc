import type { Config } from '../config';
import { runInvocation, type LambdaContextLike, type MetricSettings } from './invocation';
import { log } from './log';
import { publish } from './metrics';

export const metricSettings = (
  config: Pick<Config, 'metricsNamespace' | 'metricsPerAccount'>,
): MetricSettings => ({
  namespace: config.metricsNamespace,
  perAccount: config.metricsPerAccount,
});

/**
 * Wraps a batch function (stream, queue) as an observed invocation: its log lines carry the request id and
 * function name, its metrics are published when it ends, and one summary line per batch gives the records
 * received, those reported as failed (`batchItemFailures`, which Lambda retries) and the latency.
 */
export function observedBatchHandler<E extends { Records?: unknown[] }, C extends LambdaContextLike, R>(
  name: string,
  config: Pick<Config, 'metricsNamespace' | 'metricsPerAccount'>,
  handler: (event: E, context?: C) => Promise<R>,
): (event: E, context?: C) => Promise<R> {
  const settings = metricSettings(config);
  return (event, context) =>
    runInvocation(name, context, settings, async (invocation) => {
      const startedAt = performance.now();
      const latency = () => Math.round(performance.now() - startedAt);
      const records = event.Records?.length ?? 0;
      try {
        const result = await handler(event, context);
        const failed =
          (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0;
        (failed > 0 ? log.warn : log.info)('Batch processed', { records, failed, latency_ms: latency() });
        return result;
      } catch (error) {
        log.error('Batch failed', { records, latency_ms: latency(), error });
        throw error;
      } finally {
        publish(invocation.counts, settings);
      }
    });
}
