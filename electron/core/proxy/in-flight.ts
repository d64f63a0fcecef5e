/**
 * What is in flight (the proxy's requests): how many, and which, for closing them at shutdown.
 *
 * Not a Set, for the garbage collector's sake. A long-lived Set whose entries churn (thousands of adds and deletes a
 * second) rebuilds its hash table every few dozen deletions, and V8 allocates the new table of an old Set in the old
 * generation. Each table left behind still points at the requests it last held, and until the next full collection
 * those pointers count as roots for every scavenge: finished requests, and all they reference, stay alive and are
 * promoted, and the objects they point to after them. Measured at c=50 (`--trace-gc-nvp`): a quarter of all the proxy
 * allocated was promoted and a full collection ran every ~200 ms; with these slots, 2.5 %, as in a bare pass-through.
 * Here each item has a slot in one array, emptied when it ends, so nothing points at a finished request.
 */
export class InFlight<T extends object> {
  private readonly slots: (T | null)[] = [];
  /** Emptied slots, reused before the array grows (it grows only past the most ever in flight at once). */
  private readonly free: number[] = [];
  private count = 0;

  /** Adds `item`; answers its slot, which `delete` takes. */
  add(item: T): number {
    const slot = this.free.pop() ?? this.slots.length;
    this.slots[slot] = item;
    this.count++;
    return slot;
  }

  /** Takes `item` out of `slot`; false (and nothing changes) when it is not there. */
  delete(slot: number, item: T): boolean {
    if (slot < 0 || this.slots[slot] !== item) return false;
    this.slots[slot] = null;
    this.free.push(slot);
    this.count--;
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** The items in flight now. */
  values(): T[] {
    return this.slots.filter((item): item is T => item !== null);
  }
}
