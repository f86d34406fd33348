/* One outermost loop holding 24 inner loops (more than the 20 whose
 * figures stay in registers): each inner loop makes a record at its own
 * exits.  Case I's loop runs I + 1 times, for the outer iterations
 * k = I, I + 24, ... < 100 (5 of them for I < 4, else 4). */
#include <stdio.h>
volatile unsigned sink, zero; /* zero: trip counts the compiler cannot know */
#define CASE(i)                                                                                    \
  case i:                                                                                          \
    for (unsigned j = 0, n = i + zero; j <= n; j++)                                                \
      sink += j * (2 * i + 1) + i;                                                                 \
    break;
__attribute__((noinline)) void dispatch(void) {
  for (unsigned k = 0; k < 100; k++) {
    switch (k % 24) {
      CASE(0)
      CASE(1)
      CASE(2)
      CASE(3)
      CASE(4)
      CASE(5)
      CASE(6)
      CASE(7)
      CASE(8)
      CASE(9)
      CASE(10)
      CASE(11)
      CASE(12)
      CASE(13)
      CASE(14)
      CASE(15)
      CASE(16)
      CASE(17)
      CASE(18)
      CASE(19)
      CASE(20)
      CASE(21)
      CASE(22)
      CASE(23)
    }
  }
}
int main(void) {
  dispatch();
  printf("%u\n", sink);
  return 0;
}
