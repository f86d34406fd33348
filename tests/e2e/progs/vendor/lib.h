volatile int vendor_sink;
static __attribute__((noinline)) int vendor_twice(int x) {
  vendor_sink += x;
  return 2 * x;
}
