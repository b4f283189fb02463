// At most `pool_max` sessions of one server adapter open at once, each on a connection of its own;
// the rest wait their turn in order. Shared by the SQL Server, PostgreSQL and MySQL adapters.

export class SessionSlots<S extends { close(): Promise<void> }> {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  private readonly open = new Set<S>();

  constructor(max: number) {
    this.free = max;
  }

  /**
   * Opens a session with `connect` once a slot is free. `connect` gets the callback its session
   * calls when it closes, which frees the slot; a connect that fails frees it at once.
   */
  async acquire(connect: (onClose: () => void) => Promise<S>): Promise<S> {
    if (this.free === 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.free -= 1;
    const holder: { session?: S } = {};
    try {
      holder.session = await connect(() => {
        if (holder.session) this.open.delete(holder.session);
        this.release();
      });
    } catch (error) {
      this.release();
      throw error;
    }
    this.open.add(holder.session);
    return holder.session;
  }

  /** Closes every session still open. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((s) => s.close()));
  }

  private release(): void {
    this.free += 1;
    this.waiting.shift()?.();
  }
}
