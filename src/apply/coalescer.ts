/**
 * One run at a time, bursts coalesced (docs/cli.md, "How apply changes the BIG-IP"): while a run is in flight, new inputs replace the
 * pending one (latest wins) and everyone who submitted during the run gets the result of the next
 * run, which starts as soon as the current one ends.
 */
export class Coalescer<I, O> {
  private pending: { input: I; waiters: Array<{ resolve: (o: O) => void; reject: (e: unknown) => void }> } | undefined;
  private running = false;

  constructor(private readonly run: (input: I) => Promise<O>) {}

  /** Resolves with the result of the first run that starts after this call. */
  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.pending) {
        this.pending.input = input;
        this.pending.waiters.push({ resolve, reject });
      } else {
        this.pending = { input, waiters: [{ resolve, reject }] };
      }
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending) {
        const batch = this.pending;
        this.pending = undefined;
        try {
          const out = await this.run(batch.input);
          for (const w of batch.waiters) w.resolve(out);
        } catch (err) {
          for (const w of batch.waiters) w.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
