/* Thread records and the probes' slow paths: everything probe.c leaves out
 * of line.  All of it is cold: it runs once per thread, once per site, or
 * in states a well-behaved program never reaches. */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "memo.h"
#include "rt.h"

__thread struct ap_thread *ap_tls __attribute__((tls_model("initial-exec")));
/* What instrumented code reads to count loops inline (abi.h): this thread's
 * loop counters, kept in step with its record's. */
__thread struct ap_loop_tls __autoprof_loop_tls __attribute__((tls_model("initial-exec")));

void ap_publish_loops(struct ap_thread *t) {
  __autoprof_loop_tls.counters = (char *)t->lctr;
  __autoprof_loop_tls.lim = t->nloops - 1;
}

/* The current run of a static leaf's calls taken inline (abi.h): the
 * runtime began it at an untimed call of the leaf from the frame on top of
 * the stack, which has not changed since (this runs before any change). */
void ap_leaf_flush(struct ap_thread *t) {
  /* closed first: a signal handler's probe arriving in the middle finds no
   * run to file twice (it filed slot 0: a path node for no function) */
  t->run = 0;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  struct ap_loop_tls *l = &__autoprof_loop_tls;
  uint32_t slot = l->leaf_slot;
  uint16_t left = l->leaf_left, start = l->leaf_start;
  ap_leaf_clear();
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  /* left above start: a handler's run and the interrupted decrement mixed */
  uint64_t calls = left <= start ? (uint16_t)(start - left) : 0;
  if (slot - 1 < t->nslots - 1) {
    struct ap_ctr *c = &t->ctr[slot];
    c->skip = left; /* the countdown goes on where the run left it */
    /* runs that take nothing inline are given up after AP_RUNS_TRIED - 1 */
    c->leaf = calls ? 1 : (uint8_t)(c->leaf + (c->leaf < AP_RUNS_TRIED));
    if (calls) {
      struct ap_frame *top = &t->stack[t->depth - 1];
      struct ap_node *pn = top->node, *n = pn->last;
      if (n->slot != slot && !(n = ap_ncache_find(t, pn, slot)))
        n = ap_node_child(t, pn, slot);
      if (n == pn) { /* folded (node cap): ap_node_child took one call off the parent */
        pn->calls++;
        t->folded += calls - 1; /* and counted one folded call */
      } else {
        n->calls += calls;
      }
      c->calls += calls;
      t->probes[AP_P_ILEAF] += calls;
    }
    t->probes[AP_P_ILEAF_RUN]++;
  }
  if (!t->run) /* a handler may have begun a run of its own meanwhile */
    t->limit = t->part ? 0 : t->max_depth;
}
struct ap_node ap_no_node; /* slot 0 never matches: a fresh node's `last` */

enum { AP_CHUNK_NODES = 256 };
struct ap_chunk {
  struct ap_chunk *next;
  uint32_t used;
  struct ap_node nodes[AP_CHUNK_NODES];
};

static uint32_t next_index;

static uint32_t slots_wanted(void) {
  uint32_t n = __atomic_load_n(&ap_nslots, __ATOMIC_ACQUIRE) + 1;
  return n < 64 ? 64 : n + n / 2;
}

static uint32_t loops_wanted(void) {
  uint32_t n = __atomic_load_n(&ap_nloop_slots, __ATOMIC_ACQUIRE) + 1;
  return n < 16 ? 16 : n + n / 2;
}

/* N loop slots' counters, then their recursion bookkeeping (ap_lnest_of). */
static struct ap_lctr *new_loop_counters(uint32_t n) {
  struct ap_lctr *c = calloc(n, sizeof *c + sizeof(struct ap_lnest));
  if (c)
    c[0].iterations = n;
  return c;
}

struct ap_thread *ap_thread_new(int scratch) {
  uint64_t limit = ap_cfg.max_depth;
  struct ap_thread *t = calloc(1, sizeof *t + (limit + 2) * sizeof(struct ap_frame));
  if (!t)
    return NULL;
  t->nslots = slots_wanted();
  t->ctr = calloc(t->nslots, sizeof *t->ctr);
  t->nloops = loops_wanted();
  t->lctr = new_loop_counters(t->nloops);
  t->lnest = t->lctr ? ap_lnest_of(t->lctr) : NULL;
  t->ncache = calloc(AP_NCACHE, sizeof *t->ncache);
  if (!t->ctr || !t->lctr || !t->ncache) {
    free(t->ctr);
    free(t->lctr);
    free(t->ncache);
    free(t);
    return NULL;
  }
  t->limit = t->max_depth = (uint32_t)limit;
  t->depth = 1;
  t->root.last = &ap_no_node;
  t->stack[0].node = &t->root;
  t->scratch = (uint32_t)scratch;
  t->tid = (uint64_t)syscall(SYS_gettid);
  t->period = (uint32_t)ap_cfg.sample_period;
  if (!scratch && !ap_cfg.exact_timing)
    t->sample_below = ap_ns_to_ticks(ap_cfg.sample_below_ns);
  t->rng = (0x9E3779B9u ^ (uint32_t)t->tid) | 1;
  t->served = 1;
  ap_cpu_wait_start(t);
  if (!scratch) {
    pthread_mutex_lock(&ap_lock);
    t->index = next_index++;
    t->next = ap_threads;
    ap_threads = t;
    pthread_mutex_unlock(&ap_lock);
    ap_thread_attach(t);
  }
  return t;
}

/* More counters once new slots were handed out.  The old array stays
 * allocated (linked from slot 0, which no site uses): the report may be
 * reading it from another thread. */
static int grow_counters(struct ap_thread *t) {
  uint32_t n = slots_wanted();
  struct ap_ctr *c = calloc(n, sizeof *c);
  if (!c)
    return -1;
  memcpy(c, t->ctr, t->nslots * sizeof *c);
  c[0].calls = (uint64_t)(uintptr_t)t->ctr;
  __atomic_store_n(&t->ctr, c, __ATOMIC_RELEASE);
  t->nslots = n;
  return 0;
}

/* The same for loop counters (the old array linked from slot 0). */
static int grow_loop_counters(struct ap_thread *t) {
  uint32_t n = loops_wanted();
  struct ap_lctr *c = new_loop_counters(n);
  if (!c)
    return -1;
  memcpy(c + 1, t->lctr + 1, (t->nloops - 1) * sizeof *c);
  memcpy(ap_lnest_of(c), t->lnest, t->nloops * sizeof *t->lnest);
  c[0].entries = (uint64_t)(uintptr_t)t->lctr;
  t->lnest = ap_lnest_of(c);
  __atomic_store_n(&t->lctr, c, __ATOMIC_RELEASE);
  t->nloops = n;
  if (t == ap_tls)
    ap_publish_loops(t);
  return 0;
}

/* Records of ended threads: a program that starts a thread per task keeps
 * as many records as it ran threads at once, not one per thread it ever
 * started (10,000 threads one after another: 343 MB of RSS before, one
 * record now).  A record goes on serving: its counts, call paths and loop
 * counters add up the threads it held (`served`, in the report). */
static struct ap_thread *retired;

void ap_thread_retire(struct ap_thread *t) {
  if (t->scratch || t->depth != 1)
    return; /* frames still open (the report ran first): leave it */
  pthread_mutex_lock(&ap_lock);
  t->retired_next = retired;
  retired = t;
  pthread_mutex_unlock(&ap_lock);
  if (ap_tls == t) {
    ap_tls = NULL;
    memset(&__autoprof_loop_tls, 0, sizeof __autoprof_loop_tls);
  }
}

static struct ap_thread *reuse_retired(void) {
  pthread_mutex_lock(&ap_lock);
  struct ap_thread *t = retired;
  if (t)
    retired = t->retired_next;
  pthread_mutex_unlock(&ap_lock);
  if (!t)
    return NULL;
  t->retired_next = NULL;
  t->served++;
  t->tid = (uint64_t)syscall(SYS_gettid);
  t->depth = 1;
  t->limit = t->max_depth;
  t->part = t->lost = t->run = 0;
  for (uint32_t s = 1; s < t->nloops; s++) /* a pthread_exit from inside a loop */
    t->lnest[s].owner = 0;
  ap_cpu_wait_start(t);
  ap_thread_attach(t);
  return t;
}

/* Reads 1 once the thread's TLS blocks hold their initial values.  They do
 * not yet while the dynamic linker relocates the program: an IFUNC
 * resolver, which it calls then, runs before any library is set up (libc's
 * locale, read by its own strcasecmp, is a null pointer: helper-23's
 * instrumented resolver crashed the program before main).  Volatile: never
 * written, it would read as its initializer at compile time. */
static __thread volatile int tls_ready __attribute__((tls_model("initial-exec"))) = 1;

/* A thread's record, made (or taken over from an ended thread) on its
 * first probe; NULL when disabled, or too early in the process to run
 * anything (the probes of such calls do nothing). */
static struct ap_thread *current_thread(void) {
  struct ap_thread *t = ap_tls;
  if (!t) {
    if (!tls_ready)
      return NULL;
    ap_init();
    if (ap_disabled || (!(t = reuse_retired()) && !(t = ap_thread_new(0))))
      return NULL;
    ap_tls = t;
    ap_publish_loops(t);
  }
  return t;
}

AP_COLD struct ap_lctr *ap_loop_counters(struct ap_loop_site *site) {
  if (ap_disabled)
    return NULL;
  struct ap_thread *t = current_thread();
  if (!t)
    return NULL;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_ACQUIRE);
  if (!slot) {
    pthread_mutex_lock(&ap_lock);
    slot = ap_register_loop(site);
    pthread_mutex_unlock(&ap_lock);
    if (!slot)
      return NULL;
  }
  if (slot >= t->nloops && grow_loop_counters(t))
    return NULL;
  return &t->lctr[slot];
}

AP_COLD void ap_loop_slow(struct ap_loop_site *site, uint64_t iterations, uint64_t ticks,
                          uint64_t pairs) {
  struct ap_lctr *c = ap_loop_counters(site);
  if (!c)
    return;
  c->ticks += ticks;
  c->probes[AP_P_TIMED] += pairs;
  if (site->flags & AP_LOOP_TIMED) { /* an untimed loop's exit is not a timed entry */
    struct ap_lnest *q = &ap_tls->lnest[c - ap_tls->lctr];
    q->timed++;
    q->wtimed++;
    q->raw += ticks;
  }
  ap_loop_count(c, iterations);
}

/* Not hot: once per entry of a timed (by default outermost) loop. */
uint32_t ap_loop_open(struct ap_thread *t, struct ap_loop_site *site) {
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_ACQUIRE);
  uint32_t d = t->depth;
  if (!slot || d > t->max_depth)
    return 0; /* counted at its exit all the same (ap_loop_slow registers it) */
  struct ap_node *pn = t->stack[d - 1].node, *n = pn->last;
  if (n->slot != (slot | AP_LOOP_NODE))
    n = ap_node_child(t, pn, slot | AP_LOOP_NODE);
  uint16_t w = t->lnest[slot].wnext;
  /* n->calls: the loop's entries here; the caller sets the start after the clock read */
  ap_open_frame(t, d, site, 0, n, AP_FRAME_LOOP, w | !w);
  return d;
}

/* The child of PARENT for SLOT when PARENT's last-used child is another:
 * a function calling several others in turn (an interpreter's loop calls
 * hundreds) finds it in the thread's node cache, else by a sibling scan. */
struct ap_node *ap_node_child(struct ap_thread *t, struct ap_node *parent, uint32_t slot) {
  struct ap_node **hit = ap_ncache_entry(t, parent, slot);
  struct ap_node *n = ap_ncache_find(t, parent, slot);
  if (n)
    return n;
  for (n = parent->kids; n; n = n->next)
    if (n->slot == slot) {
      parent->last = *hit = n;
      return n;
    }
  struct ap_chunk *ch = t->chunks;
  if (t->nnodes >= ap_cfg.max_nodes || !ch || ch->used == AP_CHUNK_NODES) {
    ch = t->nnodes < ap_cfg.max_nodes ? malloc(sizeof *ch) : NULL;
    if (!ch) {
      /* Fold the new path into its caller's: ap_push counts a call on the
       * node it gets, which is not a call of the parent. */
      t->folded++;
      parent->calls--;
      return parent;
    }
    ch->used = 0;
    ch->next = t->chunks;
    t->chunks = ch;
  }
  n = &ch->nodes[ch->used++];
  memset(n, 0, sizeof *n);
  n->parent = parent;
  n->next = parent->kids;
  n->last = &ap_no_node;
  n->slot = slot;
  /* recursion within 256 levels (a bound on this cold path's cost) */
  if (!(slot & AP_LOOP_NODE)) {
    int up = 256;
    for (struct ap_node *a = parent; a && a->slot && up--; a = a->parent)
      if (a->slot == slot) {
        n->timed = AP_NODE_NESTED;
        break;
      }
  }
  t->nnodes++;
  /* published complete: the report may walk this tree from another thread */
  __atomic_store_n(&parent->kids, n, __ATOMIC_RELEASE);
  parent->last = *hit = n;
  return n;
}

/* Beyond the depth limit: count the call, time nothing.  An overflow
 * sentinel (site NULL) on top makes every exit take the slow path until
 * the lost activations have returned. */
static void enter_overflow(struct ap_thread *t, uint32_t slot) {
  t->ctr[slot].calls++;
  t->lost_total++;
  if (t->depth == t->max_depth + 1) {
    struct ap_frame *s = &t->stack[t->depth];
    memset(s, 0, sizeof *s);
    s->node = s[-1].node;
    t->depth++;
    t->lost = 1;
  } else {
    t->lost++;
  }
}

/* Not cold: an entry probe whose node is neither its parent's last-used
 * child nor in the node cache (a new path, a cache collision). */
__attribute__((noinline)) int ap_enter_miss(struct ap_thread *t, struct ap_func_site *site,
                                            uint32_t slot, int cond) {
  uint32_t d = t->depth;
  return ap_push_node(t, d, site, slot, ap_node_child(t, t->stack[d - 1].node, slot), cond);
}

/* Returns 0 when nothing was opened (no record): the exit probe may be
 * skipped; 1 otherwise (a frame, a continuation, a call beyond the depth
 * limit: each one's exit must run). */
AP_COLD int ap_enter_slow(struct ap_func_site *site) {
  /* AUTOPROF_DISABLE=1: every probe lands here (no thread record); leave
   * at once, so a disabled run costs no more than an enabled one */
  if (ap_disabled)
    return 0;
  struct ap_thread *t = ap_tls;
  if (!t && !(t = current_thread()))
    return 0;
  uint32_t part = t->part; /* a marker is for the very next entry only */
  t->part = 0;
  t->limit = t->max_depth;
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_ACQUIRE);
  if (!slot) {
    /* a probe that runs before its module's constructor (called from
     * another unit's constructor): register this one site now */
    ap_init();
    pthread_mutex_lock(&ap_lock);
    slot = ap_register_site(site);
    pthread_mutex_unlock(&ap_lock);
    if (!slot)
      return 0;
  }
  if (slot >= t->nslots && grow_counters(t))
    return 0;
  uint32_t d = t->depth;
  struct ap_frame *top = &t->stack[d - 1];
  if (part && part == slot && (site->flags & AP_FUNC_PART) && top->loop != AP_FRAME_LOOP &&
      top->site && top->site->slot == slot) {
    top->cont++; /* GCC's split part, entered from its own header: same call */
    return 1;
  }
  if (d > t->max_depth)
    enter_overflow(t, slot);
  else
    ap_push(t, site, slot, 0); /* with a frame: the slow path is rare */
  return 1;
}

/* Closes every frame above DEPTH (frames a longjmp or an exception
 * abandoned). */
static void unwind_to(struct ap_thread *t, uint32_t depth, uint64_t now) {
  if (depth < 1)
    depth = 1;
  while (t->depth > depth)
    ap_pop_any(t, now);
  /* loops whose outermost entry was in an abandoned frame are free again
   * (struct ap_lnest) */
  for (uint32_t s = 1; s < t->nloops; s++)
    if (t->lnest[s].owner > depth)
      t->lnest[s].owner = 0;
}

AP_COLD void ap_exit_slow(struct ap_thread *t, struct ap_func_site *site, uint64_t now) {
  if (!t)
    return;
  uint32_t d = t->depth;
  struct ap_frame *top = &t->stack[d - 1];
  if (d > t->max_depth + 1) { /* overflow sentinel on top */
    if (--t->lost == 0)
      t->depth--;
    return;
  }
  if (top->cont && top->loop != AP_FRAME_LOOP && top->site && top->site->slot == site->slot) {
    top->cont--; /* the split part returns into its header's activation */
    return;
  }
  /* longjmp, or an exception through C frames: frames above the one this
   * exit belongs to were abandoned; close them now.  An exit with no
   * matching frame (its enter was lost) is ignored. */
  for (uint32_t i = d - 1; i >= 1; i--)
    if (t->stack[i].site == site && t->stack[i].loop != AP_FRAME_LOOP) {
      unwind_to(t, i, now);
      return;
    }
}

/* A setjmp returned (abi.h).  MARK is 0 on its direct return: it then
 * holds the depth, counted with the activations beyond the depth limit;
 * on a return through longjmp every frame above that depth was
 * abandoned. */
void __autoprof_setjmp_return(uint32_t *mark) {
  struct ap_thread *t = ap_tls;
  if (!t) {
    *mark = 1; /* any frame the thread opens later is above its root */
    return;
  }
  uint32_t sentinel = t->depth > t->max_depth + 1; /* beyond the depth limit */
  uint32_t depth = t->depth - sentinel + t->lost;
  if (!*mark) {
    *mark = depth;
    return;
  }
  if (*mark >= depth)
    return;
  if (t->run)
    ap_leaf_flush(t); /* its calls were made in the frame on top */
  if (sentinel) {
    if (*mark > t->depth - 1) { /* still beyond the limit */
      t->lost = *mark - (t->depth - 1);
      return;
    }
    t->lost = 0;
    t->depth--;
  }
  unwind_to(t, *mark, ap_now(t));
}

void ap_thread_close_all(struct ap_thread *t, uint64_t now) {
  if (t == ap_tls)
    ap_leaf_sync(t);
  if (t->depth > t->max_depth + 1) {
    t->depth--;
    t->lost = 0;
  }
  while (t->depth > 1)
    ap_pop_any(t, now);
}

/* A fork child (ap_lock held, one thread): the forking thread's counts
 * start from zero, the activations open at the fork count once each and
 * are timed from it; the other threads do not exist here. */
void ap_fork_reset(void) {
  struct ap_thread *t = ap_tls;
  ap_clock_restart();
  ap_threads = t;
  retired = NULL;
  if (!t)
    return;
  t->next = t->retired_next = NULL;
  t->served = 1;
  memset(t->ctr, 0, t->nslots * sizeof *t->ctr);
  ap_leaf_clear(); /* the parent's run of leaf calls */
  t->run = 0;
  t->limit = t->max_depth;
  for (uint32_t s = 1; s < t->nloops; s++) {
    struct ap_lctr *c = &t->lctr[s];
    uint16_t skip = c->skip, period = c->period;
    memset(c, 0, sizeof *c);
    c->skip = skip;
    c->period = period;
    struct ap_lnest *q = &t->lnest[s];
    q->nested = q->raw = q->wtimed = q->timed = q->cloop = q->csite = 0;
  }
  for (struct ap_chunk *ch = t->chunks; ch; ch = ch->next)
    for (uint32_t i = 0; i < ch->used; i++) {
      struct ap_node *n = &ch->nodes[i];
      n->calls = n->incl = n->wtimed = 0;
      n->timed &= AP_NODE_NESTED;
      memset(n->probes, 0, sizeof n->probes);
    }
  for (uint32_t s = 0; s < t->nmemo && t->memo; s++) {
    if (t->memo[s])
      ap_memo_state_free(t->memo[s]);
    t->memo[s] = NULL;
  }
  ap_cs_reset(t);
  t->lost_total = t->folded = 0;
  t->cw_base = t->cpu_wait; /* the clock goes on (open loops' stamps); the report's wait restarts */
  ap_cpu_wait_start(t);     /* the child's own switches and CPU time, from 0 */
  uint64_t now = ap_now(t);
  for (uint32_t d = 1; d < t->depth && d <= t->max_depth; d++) {
    struct ap_frame *f = &t->stack[d];
    if (f->node == f[-1].node)
      continue; /* folded into its parent's node */
    f->node->calls++;
    if (f->loop != AP_FRAME_UNTIMED) {
      f->node->timed++;
      f->node->wtimed += f->w | !f->w;
      f->start = now;
      ap_mark(t, f);
    }
    if (f->loop != AP_FRAME_LOOP && f->site)
      t->ctr[f->site->slot].calls++;
  }
}

/* Only for scratch records: user records live until the process ends. */
void ap_thread_free(struct ap_thread *t) {
  for (struct ap_chunk *ch = t->chunks, *next; ch; ch = next) {
    next = ch->next;
    free(ch);
  }
  free(t->ctr);
  free(t->lctr);
  free(t->ncache);
  free(t->cs);
  free(t);
}
