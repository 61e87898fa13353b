/**
 * The host-side allocator for a WASM backend's linear memory. Kernels never allocate: every
 * buffer is carved here, above the module's static data, 16-byte aligned (v128 loads), from a
 * first-fit free list with coalescing. Memory grows on demand.
 */

const ALIGN = 16;
const PAGE = 65536;

/**
 * A first-fit allocator over a WebAssembly.Memory from `base` to the memory's end (growing it on
 * demand), or, with `limit`, over the fixed region [base, limit) of a memory another thread owns.
 */
export class Heap {
  /** Free blocks as [start, size] pairs sorted by start; without a limit the last one reaches the memory's end. */
  private free_: Array<[number, number]> = [];
  private sizes = new Map<number, number>();

  constructor(readonly memory: WebAssembly.Memory, base: number, private readonly limit?: number) {
    const start = roundUp(base, ALIGN);
    const end = limit ?? memory.buffer.byteLength;
    if (end > start) this.free_.push([start, end - start]);
  }

  /** Bytes currently allocated. */
  get used(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Allocates `bytes` zeroed bytes and returns their address. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, roundUp(bytes, ALIGN));
    let i = this.free_.findIndex(([, s]) => s >= size);
    if (i < 0) i = this.grow(size);
    const [start, s] = this.free_[i];
    if (s === size) this.free_.splice(i, 1);
    else this.free_[i] = [start + size, s - size];
    this.sizes.set(start, size);
    new Uint8Array(this.memory.buffer, start, size).fill(0);
    return start;
  }

  /** Returns the block at `ptr` to the free list. */
  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`heap: ${ptr} is not an allocated block`);
    this.sizes.delete(ptr);
    let i = 0;
    while (i < this.free_.length && this.free_[i][0] < ptr) i++;
    this.free_.splice(i, 0, [ptr, size]);
    if (i + 1 < this.free_.length && ptr + size === this.free_[i + 1][0]) {
      this.free_[i][1] += this.free_[i + 1][1];
      this.free_.splice(i + 1, 1);
    }
    if (i > 0 && this.free_[i - 1][0] + this.free_[i - 1][1] === ptr) {
      this.free_[i - 1][1] += this.free_[i][1];
      this.free_.splice(i, 1);
    }
  }

  /** Grows memory so that the last free block holds `size` bytes; returns that block's index. */
  private grow(size: number): number {
    if (this.limit !== undefined) throw new RangeError(`bep: a thread's heap region is full (${size} bytes requested, ${this.used} in use)`);
    const end = this.memory.buffer.byteLength;
    const last = this.free_[this.free_.length - 1];
    const tail = last && last[0] + last[1] === end ? last : undefined;
    const missing = size - (tail ? tail[1] : 0);
    const pages = Math.ceil(missing / PAGE);
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new RangeError(`bep: cannot grow WebAssembly memory by ${pages} pages (${size} bytes requested): ${(e as Error).message}`);
    }
    if (tail) tail[1] += pages * PAGE;
    else this.free_.push([end, pages * PAGE]);
    return this.free_.length - 1;
  }
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
