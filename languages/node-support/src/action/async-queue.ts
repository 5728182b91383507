/**
 * An async iterable fed by pushes: how a client stream's requests reach an
 * action handler as they arrive. Iterating it a second time is not supported.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private done = false;
  private error: unknown;

  push(item: T): void {
    if (this.done) return;
    if (this.waiting) this.settle().resolve({ value: item, done: false });
    else this.items.push(item);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.waiting) this.settle().resolve({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error ?? new Error("stream failed");
    if (this.waiting) this.settle().reject(this.error);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.error !== undefined) return Promise.reject(this.error instanceof Error ? this.error : new Error("stream failed"));
        if (this.done) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.waiting = resolve;
          this.failWaiting = reject;
        });
      },
    };
  }

  private settle() {
    const resolve = this.waiting ?? (() => undefined);
    const reject = this.failWaiting ?? (() => undefined);
    this.waiting = undefined;
    this.failWaiting = undefined;
    return { resolve, reject };
  }
}
