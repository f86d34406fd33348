volatile int sink;
__attribute__((noinline)) int lib_work(int n) { int s = 0; for (int i = 0; i < n; i++) s += i ^ sink; return s; }
