/**
 * Sort orders (Iceberg spec "Sorting", Appendix C "Sort Orders"). Order id 0 is unsorted.
 */
import type { Transform } from "./transform.js";

/** Sort direction. */
export type SortDirection = "asc" | "desc";
/** Where nulls sort. */
export type NullOrder = "nulls-first" | "nulls-last";

/** One field of a sort order. */
export interface SortField {
  readonly sourceId: number;
  readonly transform: Transform;
  readonly direction: SortDirection;
  readonly nullOrder: NullOrder;
}

/** A sort order: an id and its fields, most significant first. */
export interface SortOrder {
  readonly orderId: number;
  readonly fields: readonly SortField[];
}

/** The unsorted order (id 0, no fields). */
export const UNSORTED_ORDER: SortOrder = { orderId: 0, fields: [] };
