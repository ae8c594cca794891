import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and every message published from here should carry. */
export interface CorrelationContext {
  correlationId: string;
  /** The id of the message (or request) that caused the work in progress. */
  causationId?: string;
  tenantId?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export const Correlation = {
  run<T>(context: CorrelationContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): CorrelationContext | undefined {
    return storage.getStore();
  },
};
