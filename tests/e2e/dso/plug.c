volatile int psink;
__attribute__((noinline)) int plugin_work(int n) { int s = 0; for (int i = 0; i < n; i++) s += i * psink; return s; }
