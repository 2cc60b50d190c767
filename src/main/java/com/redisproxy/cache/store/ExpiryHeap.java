package com.redisproxy.cache.store;

import java.util.Arrays;

/**
 * A binary min-heap of expiry times whose elements know their own slot, so that an entry removed
 * from the store (replaced, evicted, invalidated) leaves the heap at once, in O(log n): the heap
 * never holds more elements than the store has entries.
 */
final class ExpiryHeap<E extends ExpiryHeap.Element> {

  /** What the heap orders: an expiry time, and the slot the heap keeps it in (-1 when outside). */
  interface Element {
    long expiresAt();

    int heapSlot();

    void heapSlot(int slot);
  }

  private Element[] slots = new Element[16];
  private int size;

  void add(E element) {
    if (size == slots.length) slots = Arrays.copyOf(slots, size * 2);
    slots[size] = element;
    element.heapSlot(size);
    size++;
    siftUp(element.heapSlot());
  }

  /** The element expiring first; null when empty. */
  @SuppressWarnings("unchecked")
  E peek() {
    return size == 0 ? null : (E) slots[0];
  }

  void remove(E element) {
    int slot = element.heapSlot();
    if (slot < 0) return;
    element.heapSlot(-1);
    size--;
    if (slot == size) {
      slots[size] = null;
      return;
    }
    Element last = slots[size];
    slots[size] = null;
    place(last, slot);
    siftDown(slot);
    siftUp(last.heapSlot());
  }

  void clear() {
    for (int i = 0; i < size; i++) slots[i].heapSlot(-1);
    Arrays.fill(slots, 0, size, null);
    size = 0;
    if (slots.length > 16) slots = new Element[16];
  }

  int size() {
    return size;
  }

  private void siftUp(int slot) {
    Element element = slots[slot];
    while (slot > 0) {
      int parent = (slot - 1) >>> 1;
      if (!expiresBefore(element, slots[parent])) break;
      place(slots[parent], slot);
      slot = parent;
    }
    place(element, slot);
  }

  private void siftDown(int slot) {
    Element element = slots[slot];
    while (true) {
      int child = 2 * slot + 1;
      if (child >= size) break;
      if (child + 1 < size && expiresBefore(slots[child + 1], slots[child])) child++;
      if (!expiresBefore(slots[child], element)) break;
      place(slots[child], slot);
      slot = child;
    }
    place(element, slot);
  }

  private void place(Element element, int slot) {
    slots[slot] = element;
    element.heapSlot(slot);
  }

  // Compared as a difference, as System.nanoTime values must be.
  private static boolean expiresBefore(Element a, Element b) {
    return a.expiresAt() - b.expiresAt() < 0;
  }
}
