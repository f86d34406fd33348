/* At exit: close the calling thread's frames, merge every thread's counters
 * and call trees into one ap_profile, subtract the calibrated probe cost,
 * derive the hints, write the files atomically and print the summary.
 * Never changes the program's exit status or output: every failure is one
 * line on stderr. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoprof/autoprof.h"
#include "memo.h"
#include "profile.h"
#include "rt.h"

int ap_finished;

struct mnode {
  int64_t parent;
  uint32_t slot;
  uint64_t calls, untimed;     /* all calls, those not timed (adaptive timing) */
  uint64_t incl;               /* raw ticks of the timed ones, weighted (struct ap_node) */
  uint64_t wtimed;             /* the timed ones' weights */
  uint64_t probes[AP_NPROBES]; /* probes inside the timed ones, weighted */
  double est_incl, est_excl;   /* compensated, over all calls (ticks) */
  double var_incl, var_excl;   /* their sampling variances (ticks^2; 0 when every call timed) */
  double raw, removed;         /* timed ticks and the probes' part of them, over all calls */
  int open;                    /* an activation still open at exit (another thread's) */
  int lifted;                  /* open, or emptied by compensation: its callees' time taken */
};

struct merged {
  struct mnode *v;
  size_t n, cap;
  uint32_t *hash; /* index + 1, open addressing on (parent, slot) */
  size_t hcap;
};

static uint64_t mix(int64_t parent, uint32_t slot) {
  return ((uint64_t)parent * 0x9E3779B97F4A7C15ull) ^ (slot * 0xC2B2AE3D27D4EB4Full);
}

static int rehash(struct merged *m) {
  size_t cap = m->hcap ? m->hcap * 2 : 4096;
  uint32_t *h = calloc(cap, sizeof *h);
  if (!h)
    return -1;
  for (size_t i = 0; i < m->n; i++) {
    uint64_t k = mix(m->v[i].parent, m->v[i].slot);
    while (h[k & (cap - 1)])
      k++;
    h[k & (cap - 1)] = (uint32_t)i + 1;
  }
  free(m->hash);
  m->hash = h;
  m->hcap = cap;
  return 0;
}

static long find_or_add(struct merged *m, int64_t parent, uint32_t slot) {
  if ((m->n + 1) * 2 > m->hcap && rehash(m))
    return -1;
  uint64_t k = mix(parent, slot);
  for (uint32_t i; (i = m->hash[k & (m->hcap - 1)]); k++)
    if (m->v[i - 1].parent == parent && m->v[i - 1].slot == slot)
      return i - 1;
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct mnode *q = realloc(m->v, cap * sizeof *q);
    if (!q)
      return -1;
    m->v = q;
    m->cap = cap;
  }
  m->v[m->n] = (struct mnode){.parent = parent, .slot = slot};
  m->hash[k & (m->hcap - 1)] = (uint32_t)m->n + 1;
  return (long)m->n++;
}

#define AP_MERGED_ROOT UINT32_MAX

/* The node after N in a pre-order walk of ROOT's tree: through parent
 * pointers, no recursion, no stack.  NULL at the end. */
static struct ap_node *next_preorder(struct ap_node *root, struct ap_node *n) {
  struct ap_node *k = __atomic_load_n(&n->kids, __ATOMIC_ACQUIRE);
  if (k)
    return k;
  while (n != root && !n->next)
    n = n->parent;
  return n == root ? NULL : n->next;
}

/* Every thread's tree, merged by call path.  Loop
 * nodes are transparent here: the calls made inside a loop are merged
 * under the loop's function (build_loop_calls reads the loop nodes). */
static int merge_tree(struct merged *m, struct ap_thread *t) {
  struct ap_node *root = &t->root;
  struct ap_node *n = __atomic_load_n(&root->kids, __ATOMIC_ACQUIRE);
  while (n) {
    if (!n->calls) { /* a path of a fork child's parent only (ap_fork_reset): not here */
      while (n != root && !n->next)
        n = n->parent;
      n = n == root ? NULL : n->next;
      continue;
    }
    uint32_t pm = n->parent == root ? AP_MERGED_ROOT : n->parent->merged;
    int64_t parent = pm == AP_MERGED_ROOT ? -1 : (int64_t)pm;
    if (n->slot & AP_LOOP_NODE) {
      n->merged = pm;
    } else {
      long i = find_or_add(m, parent, n->slot);
      if (i < 0)
        return -1;
      n->merged = (uint32_t)i;
      m->v[i].calls += n->calls;
      m->v[i].untimed += n->calls - ap_node_timed(n);
      m->v[i].incl += n->incl;
      m->v[i].wtimed += n->wtimed;
      for (int k = 0; k < AP_NPROBES; k++)
        m->v[i].probes[k] += n->probes[k];
    }
    n = next_preorder(root, n);
  }
  return 0;
}

/* The paths with an activation still open at exit: the frames on the
 * shadow stacks of the threads that are still running (or blocked) — the
 * exiting one closed its own.  Such a node's time holds only its finished
 * activations, so it bounds nothing below it (a worker spinning in
 * `for (;;) tick();` gave its 514,626 finished tick calls 0 ns: helper-28). */
static void mark_open(struct merged *m) {
  for (struct ap_thread *t = ap_threads; t; t = t->next) {
    uint32_t d = __atomic_load_n(&t->depth, __ATOMIC_RELAXED);
    if (d > t->max_depth + 1) /* an overflow sentinel on top */
      d = t->max_depth + 1;
    for (uint32_t i = 1; i < d; i++) {
      const struct ap_node *n = t->stack[i].node;
      if (n && n != &t->root && n->merged < m->n)
        m->v[n->merged].open = 1;
    }
  }
}

struct comp {
  double self;             /* a timed frame's own probes inside its interval */
  double sself;            /* the same for a timed call of a sampled function */
  double cost[AP_NPROBES]; /* what one probe of each kind adds around it */
  double lself;            /* a timed loop entry's own probes inside its interval */
  double tpn;
};

static uint64_t to_ns(const struct comp *c, double ticks) {
  return ticks > 0 ? (uint64_t)(ticks / c->tpn + 0.5) : 0;
}

static uint64_t timed_of(uint64_t calls, uint64_t untimed) {
  return calls - (untimed < calls ? untimed : calls);
}

/* A node's inclusive ticks over all its calls, compensated: its timed
 * activations' raw ticks less their own probes and the probes that ran
 * inside them, each weighted by the calls it stands for (struct
 * ap_frame.w: adaptive timing picks the timed ones at random, one in
 * `period` while a slot is sampled, every one while it is not), their
 * weighted mean per call times all its calls.  With every call timed the
 * weights are 1.  -1: never timed. */
static double node_ticks(const struct comp *c, uint64_t calls, uint64_t untimed, uint64_t incl,
                         uint64_t wtimed, const uint64_t *probes, double *raw, double *removed) {
  uint64_t timed = timed_of(calls, untimed);
  *raw = *removed = 0;
  if (!timed)
    return -1;
  double wt = wtimed ? (double)wtimed : (double)timed, scale = (double)calls / wt;
  double r = wt * (untimed ? c->sself : c->self);
  for (int k = 0; k < AP_NPROBES; k++)
    r += (double)probes[k] * c->cost[k];
  *raw = (double)incl * scale; /* RAW and REMOVED: the timed ticks and */
  *removed = r * scale;        /* the probes' part of them (probe_share) */
  return *raw > *removed ? *raw - *removed : 0;
}

/* Inclusive estimates for every node (nodes never timed take their
 * function's average per call over the nodes that were); exclusive ones
 * are the inclusive less the children's. */
/* A sampled node's estimate leans on its function's average per call
 * when the node has few timed calls of its own (weight timed / (timed +
 * AP_SHRINK)): deep, rarely timed paths of an interpreter would otherwise
 * scale one or two timed calls up to all of theirs. */
#define AP_SHRINK 8.0

/* CV2: per slot, the squared coefficient of variation of its outermost
 * paths' timed calls, then (from nslots + 1 on) of its nested ones'.
 * NESTED: per node, whether it has an ancestor of its own function. */
static int estimate_nodes(struct merged *m, const struct comp *c, uint32_t nslots,
                          const double *cv2, const char *nested) {
  /* per slot: the estimates and calls of its outermost nodes, then of its
   * nested ones (recursion): a recursive function's calls last by depth —
   * a tree walk's top call is the whole walk — so each kind has its own
   * average, and its own spread */
  size_t ns = (size_t)nslots + 1;
  double *sum = calloc(4 * ns, sizeof *sum), *n = sum + 2 * ns;
  if (!sum)
    return -1;
  for (size_t i = 0; i < m->n; i++) {
    struct mnode *v = &m->v[i];
    v->est_incl =
        node_ticks(c, v->calls, v->untimed, v->incl, v->wtimed, v->probes, &v->raw, &v->removed);
    if (v->est_incl >= 0 && v->slot <= nslots) {
      sum[v->slot + nested[i] * ns] += v->est_incl;
      n[v->slot + nested[i] * ns] += (double)v->calls;
    }
  }
  for (size_t i = 0; i < m->n; i++) {
    struct mnode *v = &m->v[i];
    double timed = (double)timed_of(v->calls, v->untimed), calls = (double)v->calls;
    size_t k = v->slot + nested[i] * ns;
    double mean = v->slot <= nslots && n[k] > 0 ? sum[k] / n[k] : 0;
    double rel2 = v->slot <= nslots ? cv2[k] : 0;
    if (v->est_incl < 0) { /* never timed: the function's average, +-100% */
      v->est_incl = calls * mean;
      v->var_incl = v->est_incl * v->est_incl;
    } else if (timed < calls) {
      double w = timed / (timed + AP_SHRINK);
      v->est_incl = w * v->est_incl + (1 - w) * calls * mean;
      v->var_incl = v->est_incl * v->est_incl * rel2 / timed * (1 - timed / calls);
    }
    v->est_excl = 0;
    v->var_excl = 0;
  }
  /* Children come after their parent: the passes below go from the end. */
  double *floor = calloc(2 * (m->n + 1), sizeof *floor), *kfloor = floor + m->n + 1;
  if (!floor) {
    free(sum);
    return -1;
  }
  /* A sampled node below the sum of its children's estimates, with fewer
   * timed calls than they have together, takes that sum: the better sampled
   * side wins.  The top of a recursion (a tree walk's few long calls from
   * main) leaned on its function's average, which its many short nested
   * calls make tiny.  floor, kfloor: the children's estimates and timed
   * calls, for now. */
  for (size_t i = m->n; i-- > 0;) {
    struct mnode *v = &m->v[i];
    double timed = (double)timed_of(v->calls, v->untimed);
    /* an open node: at least its finished callees'; one whose probes'
     * compensation took 90 % or more of what it measured (3 M calls of a
     * 1 ns function in main's loop) resolves nothing: it bounded its other
     * callees to its 0 — heavy()'s 2.6 ms read 0, and the run with it
     * (helper-30) */
    int unresolved = v->raw > 0 && v->removed >= AP_PROBE_BOUND * v->raw;
    if (floor[i] > v->est_incl && ((v->untimed && kfloor[i] > timed) || v->open || unresolved)) {
      v->est_incl = floor[i];
      v->lifted = v->open || unresolved;
    }
    if (v->parent >= 0) {
      floor[v->parent] += v->est_incl;
      kfloor[v->parent] += timed;
    }
  }
  memset(floor, 0, 2 * (m->n + 1) * sizeof *floor);
  /* What the exactly timed nodes below a node took is a floor for its
   * estimate (a sampled parent of exact children; frames a longjmp left
   * open, closed late; compensation that took a little more out of a
   * parent than out of its child). */
  for (size_t i = m->n; i-- > 0;) {
    struct mnode *v = &m->v[i];
    if (!v->untimed && v->est_incl > floor[i])
      floor[i] = v->est_incl;
    if (v->est_incl < floor[i])
      v->est_incl = floor[i];
    if (v->parent >= 0)
      floor[v->parent] += floor[i];
  }
  /* Children's estimates never exceed their parent's: a parent sampled
   * less sparsely (or timed on every call) bounds the noise of its
   * children, whose sums are then scaled down to fit: the sampled ones
   * only (a child timed on every call is no estimate), into what the
   * others leave: what lies above their floors shrinks.  Parents come
   * first.  est_excl, var_excl, kfloor: the sampled children's sum, the
   * exact ones', the sampled ones' floors. */
  for (size_t i = 0; i < m->n; i++) {
    const struct mnode *v = &m->v[i];
    if (v->parent < 0)
      continue;
    if (v->untimed) {
      m->v[v->parent].est_excl += v->est_incl;
      kfloor[v->parent] += floor[i];
    } else {
      m->v[v->parent].var_excl += v->est_incl;
    }
  }
  for (size_t i = 0; i < m->n; i++) {
    struct mnode *v = &m->v[i];
    if (v->parent >= 0 && v->untimed) {
      const struct mnode *pv = &m->v[v->parent];
      double room = pv->est_incl - pv->var_excl - kfloor[v->parent];
      double above = pv->est_excl - kfloor[v->parent];
      if (above > room && above > 0)
        v->est_incl = floor[i] + (v->est_incl - floor[i]) * (room > 0 ? room : 0) / above;
    }
  }
  free(floor);
  for (size_t i = 0; i < m->n; i++) { /* own: inclusive less the (scaled) children's */
    m->v[i].est_excl = m->v[i].est_incl;
    m->v[i].var_excl = m->v[i].var_incl;
  }
  /* Independent estimates: variances add.  A child of its parent's own
   * function (recursion) adds its estimate to the function's self time
   * and takes it off again in the parent: no error in the function's sum
   * (only its var_excl is used, summed per function). */
  for (size_t i = 0; i < m->n; i++) {
    struct mnode *v = &m->v[i];
    if (v->parent < 0)
      continue;
    m->v[v->parent].est_excl -= v->est_incl;
    if (m->v[v->parent].slot == v->slot)
      v->var_excl -= v->var_incl;
    else
      m->v[v->parent].var_excl += v->var_incl;
  }
  for (size_t i = 0; i < m->n; i++)
    if (m->v[i].est_excl < 0)
      m->v[i].est_excl = 0;
  free(sum);
  return 0;
}

/* NESTED[i]: a node of the merged tree has an ancestor of its own
 * function (recursion).  One depth-first walk with a count of open nodes
 * per slot: walking each node's parents was quadratic in the depth (a
 * 200,000-deep recursion, AUTOPROF_MAX_DEPTH raised: 112 s at exit,
 * helper-23). */
static int mark_nested(const struct merged *m, uint32_t nslots, char *nested) {
  size_t n = m->n;
  /* children lists; the stack: pending entries, at most n, and the
   * leaves of the path walked, at most n */
  int64_t *kid = malloc((4 * n + 2) * sizeof *kid), *next = kid + n, *stack = next + n;
  uint32_t *open = calloc((size_t)nslots + 2, sizeof *open);
  if (!kid || !open) {
    free(kid);
    free(open);
    return -1;
  }
  int64_t roots = -1;
  for (size_t i = 0; i < n; i++)
    kid[i] = -1;
  for (size_t i = n; i-- > 0;) { /* children in index order */
    int64_t *head = m->v[i].parent >= 0 ? &kid[m->v[i].parent] : &roots;
    next[i] = *head;
    *head = (int64_t)i;
  }
  /* the stack holds i + 1 to enter i, -(i + 1) to leave it */
  size_t sp = 0;
  for (int64_t r = roots; r >= 0; r = next[r]) {
    stack[sp++] = r + 1;
    while (sp) {
      int64_t e = stack[--sp];
      size_t i = (size_t)(e > 0 ? e - 1 : -e - 1);
      uint32_t s = m->v[i].slot <= nslots ? m->v[i].slot : nslots + 1;
      if (e < 0) {
        open[s]--;
        continue;
      }
      nested[i] = open[s] > 0;
      open[s]++;
      stack[sp++] = -(int64_t)(i + 1);
      for (int64_t k = kid[i]; k >= 0; k = next[k])
        stack[sp++] = k + 1;
    }
  }
  free(kid);
  free(open);
  return 0;
}

struct flat {
  uint64_t calls, samples, timed;
  double incl, excl;   /* estimated, compensated ticks */
  double raw, removed; /* its outermost timed nodes' raw ticks, and the probes' part */
  double var_excl;     /* sampling variance of excl */
  double sum_e, sum_e2;
  double samples_n, sum_e_n, sum_e2_n; /* those of its timed calls on nested paths */
  long func;
  int used;
};

/* The squared coefficient of variation of a function's timed calls'
 * inclusive times: a node's relative sampling variance is this over its
 * timed calls (finite-population corrected). */
static double cv2_of(double n, double sum_e, double sum_e2) {
  if (n < 2 || sum_e <= 0)
    return 1;
  double mean = sum_e / n;
  double var = sum_e2 / n - mean * mean;
  return var > 0 ? var / (mean * mean) : 0;
}

/* The relative error (95 %) of a function's self time: the sampling error
 * of its own estimate and of its callees' (its self time is its time less
 * theirs); 0 when nothing in it was sampled. */
static double time_error(const struct flat *f) {
  if (f->var_excl <= 0)
    return 0;
  double e = 1.96 * sqrt(f->var_excl) / (f->excl > 0 ? f->excl : 1);
  return e < 9.99 ? e : 9.99;
}

static int add_functions(struct ap_profile *p, struct flat *f, const struct comp *c) {
  for (uint32_t s = 1; s <= ap_nslots; s++) {
    if (!f[s].used)
      continue;
    const struct ap_slot_info *si = &ap_slots[s];
    long i = ap_profile_add_function(p, si->name, si->file, si->line);
    if (i < 0)
      return -1;
    f[s].func = i;
    struct ap_prof_func *pf = &p->functions[i];
    pf->flags = si->flags;
    pf->calls = f[s].calls;
    pf->timed_calls = f[s].timed < f[s].calls ? f[s].timed : f[s].calls;
    pf->time_error = time_error(&f[s]);
    pf->probe_share = f[s].raw > 0 ? (f[s].removed < f[s].raw ? f[s].removed / f[s].raw : 1) : 0;
    pf->excl_ns = to_ns(c, f[s].excl);
    pf->incl_ns = to_ns(c, f[s].incl);
    if (pf->incl_ns < pf->excl_ns)
      pf->incl_ns = pf->excl_ns;
    for (uint32_t k = 0; k < si->nsymbols; k++)
      if (ap_profile_add_symbol(p, (size_t)i, si->symbols[k]))
        return -1;
  }
  return 0;
}

/* Functions and call paths, merged over threads and compensated: a
 * function's times are the sums of its nodes' (inclusive: of the nodes
 * with no activation of it above), its calls those the probes counted. */
static int build_functions(struct ap_profile *p, struct merged *m, const struct comp *c) {
  uint32_t ns = ap_nslots;
  struct flat *f = calloc(ns + 1, sizeof *f);
  double *cv2 = calloc(2 * ((size_t)ns + 1), sizeof *cv2);
  char *nested = calloc(m->n + 1, 1);
  if (!f || !cv2 || !nested) {
    free(f);
    free(cv2);
    free(nested);
    return -1;
  }
  for (struct ap_thread *t = ap_threads; t; t = t->next) {
    struct ap_ctr *ctr = __atomic_load_n(&t->ctr, __ATOMIC_ACQUIRE);
    for (uint32_t s = 1; s <= ns && s < t->nslots; s++) {
      f[s].calls += ctr[s].calls;
      f[s].samples += ctr[s].samples;
      f[s].sum_e += (double)ctr[s].sum_e;
      f[s].sum_e2 += ctr[s].sum_e2;
      f[s].sum_e_n += (double)ctr[s].sum_e_n;
      f[s].sum_e2_n += ctr[s].sum_e2_n;
      f[s].used |= ctr[s].calls != 0;
    }
  }
  if (mark_nested(m, ns, nested)) {
    free(f);
    free(cv2);
    free(nested);
    return -1;
  }
  for (size_t i = 0; i < m->n; i++) {
    if (nested[i] && m->v[i].slot <= ns)
      f[m->v[i].slot].samples_n += (double)timed_of(m->v[i].calls, m->v[i].untimed);
  }
  for (uint32_t s = 1; s <= ns; s++) {
    const struct flat *x = &f[s];
    double n_n = x->samples_n < (double)x->samples ? x->samples_n : (double)x->samples;
    cv2[s] = cv2_of((double)x->samples - n_n, x->sum_e - x->sum_e_n, x->sum_e2 - x->sum_e2_n);
    cv2[ns + 1 + s] = cv2_of(n_n, x->sum_e_n, x->sum_e2_n);
  }
  int bad = estimate_nodes(m, c, ns, cv2, nested);
  free(cv2);
  if (bad) {
    free(f);
    free(nested);
    return -1;
  }
  for (size_t i = 0; i < m->n; i++) {
    const struct mnode *v = &m->v[i];
    struct flat *fs = &f[v->slot];
    fs->used = 1;
    fs->timed += timed_of(v->calls, v->untimed);
    fs->excl += v->est_excl > 0 ? v->est_excl : 0;
    fs->var_excl += v->var_excl;
    if (!nested[i]) { /* inclusive once per outermost activation */
      fs->incl += v->est_incl > 0 ? v->est_incl : 0;
      fs->raw += v->raw;
      fs->removed += v->removed;
    }
  }
  free(nested);
  int rc = add_functions(p, f, c);
  for (size_t i = 0; !rc && i < m->n; i++) {
    const struct mnode *v = &m->v[i];
    uint64_t excl = to_ns(c, v->est_excl);
    uint64_t incl = to_ns(c, v->est_incl);
    if (ap_profile_add_node(p, v->parent, (uint32_t)f[v->slot].func, v->calls,
                            incl < excl ? excl : incl, excl) < 0)
      rc = -1;
    if (v->parent < 0 && v->calls > v->untimed) /* raw (scaled) less compensated */
      p->compensated_ns +=
          to_ns(c, (double)v->incl * ((double)v->calls / (double)(v->wtimed ? v->wtimed : 1)) -
                       v->est_incl);
  }
  free(f);
  return rc;
}

/* Calls made inside timed loops, per loop slot, from the loop nodes of every
 * thread's tree: how many, their inclusive time (compensated with the
 * merged tree's average descendants per call), and the heaviest callee. */
struct loop_callee {
  uint32_t loop, slot;
  uint64_t calls;
  double ticks;
  /* what no estimate may exceed: the callee's calls (and time) from the
   * loop's function on the same paths, inside the loop's timed entries or
   * not — all of its calls made in the loop are among them */
  uint64_t cap_calls;
  double cap_ticks;
};
struct loop_calls {
  struct loop_callee *v;
  size_t n, cap;
};

static int add_loop_callee(struct loop_calls *lc, uint32_t loop, uint32_t slot, uint64_t calls,
                           double ticks, uint64_t cap_calls, double cap_ticks) {
  for (size_t i = 0; i < lc->n; i++)
    if (lc->v[i].loop == loop && lc->v[i].slot == slot) {
      lc->v[i].calls += calls;
      lc->v[i].ticks += ticks;
      lc->v[i].cap_calls += cap_calls;
      lc->v[i].cap_ticks += cap_ticks;
      return 0;
    }
  if (lc->n == lc->cap) {
    size_t cap = lc->cap ? lc->cap * 2 : 64;
    struct loop_callee *q = realloc(lc->v, cap * sizeof *q);
    if (!q)
      return -1;
    lc->v = q;
    lc->cap = cap;
  }
  lc->v[lc->n++] = (struct loop_callee){loop, slot, calls, ticks, cap_calls, cap_ticks};
  return 0;
}

/* One thread's node, compensated and scaled to all its calls; never timed
 * there: the merged path's average per call. */
static double thread_node_ticks(const struct merged *m, const struct comp *c,
                                const struct ap_node *k) {
  double raw, removed;
  double t = node_ticks(c, k->calls, k->calls - ap_node_timed(k), k->incl, k->wtimed, k->probes,
                        &raw, &removed);
  /* nothing timed, or a path whose estimate was taken from its callees
   * (open at exit, or emptied by compensation: estimate_nodes): its share
   * of the merged path's estimate */
  const struct mnode *v = k->merged < m->n ? &m->v[k->merged] : NULL;
  if (t >= 0 && !(v && v->lifted))
    return t;
  return v && v->calls ? (double)k->calls * v->est_incl / (double)v->calls : 0;
}

/* The function nodes directly inside loop node L (through nested loops).
 * A loop node holds only its timed entries' calls; build_loops scales
 * them to all entries by entry counts, which overshoots when the entries
 * that make the calls are the long ones, timed on every entry while the
 * short ones are sampled (bc's yylex loop: 3 calls of a function that ran
 * once; a 200,000-trip entry among 1-trip ones, 2x).  The callee's calls
 * from the loop's function on the same path (under the loop node, or
 * directly under the function: its untimed entries' and any outside the
 * loop) bound it. */
static int loop_node_calls(struct loop_calls *lc, const struct merged *m, const struct comp *c,
                           struct ap_node *loopnode, uint32_t loop) {
  struct ap_node *fn = loopnode->parent;
  while (fn && (fn->slot & AP_LOOP_NODE))
    fn = fn->parent;
  for (struct ap_node *k = __atomic_load_n(&loopnode->kids, __ATOMIC_ACQUIRE); k; k = k->next) {
    if (k->slot & AP_LOOP_NODE) {
      if (loop_node_calls(lc, m, c, k, loop))
        return -1;
      continue;
    }
    double ticks = thread_node_ticks(m, c, k);
    uint64_t cap_calls = k->calls;
    for (struct ap_node *o = fn ? __atomic_load_n(&fn->kids, __ATOMIC_ACQUIRE) : NULL; o;
         o = o->next)
      if (o->slot == k->slot) {
        cap_calls += o->calls;
        break;
      }
    /* their time as the function's figures have it: both paths are one
     * merged node (a loop node is no node of the merged tree), whose
     * estimate estimate_nodes may have fitted under its parent's */
    const struct mnode *v = k->merged < m->n ? &m->v[k->merged] : NULL;
    double cap_ticks = v && v->calls ? (double)cap_calls * v->est_incl / (double)v->calls : ticks;
    if (add_loop_callee(lc, loop, k->slot, k->calls, ticks, cap_calls, cap_ticks))
      return -1;
  }
  return 0;
}

static int collect_loop_calls(struct loop_calls *lc, const struct merged *m, const struct comp *c) {
  for (struct ap_thread *t = ap_threads; t; t = t->next) {
    struct ap_node *root = &t->root;
    for (struct ap_node *n = __atomic_load_n(&root->kids, __ATOMIC_ACQUIRE); n;
         n = next_preorder(root, n))
      if ((n->slot & AP_LOOP_NODE) && loop_node_calls(lc, m, c, n, n->slot & ~AP_LOOP_NODE))
        return -1;
  }
  return 0;
}

static int fill_loop_calls(struct ap_profile *p, const long *index, const double *scale,
                           uint32_t nl, const struct loop_calls *lc, const struct comp *c) {
  for (size_t i = 0; i < lc->n; i++) {
    const struct loop_callee *e = &lc->v[i];
    if (e->loop > nl || !index[e->loop])
      continue;
    struct ap_prof_loop *l = &p->loops[index[e->loop] - 1];
    double ticks = scale[e->loop] * e->ticks;
    uint64_t ns = to_ns(c, ticks < e->cap_ticks ? ticks : e->cap_ticks);
    uint64_t calls = (uint64_t)(scale[e->loop] * (double)e->calls + 0.5);
    if (calls > e->cap_calls)
      calls = e->cap_calls;
    l->calls += calls;
    l->calls_ns += ns;
    if (!l->top_callee || ns > l->top_callee_ns) {
      if (ap_profile_set_str(&l->top_callee, ap_slots[e->slot].name))
        return -1;
      l->top_callee_calls = calls;
      l->top_callee_ns = ns;
    }
  }
  return 0;
}

/* Loops, merged over threads; their time without the probes of the calls
 * made inside them (a full pair each, as for a function's children). */
static int build_loops(struct ap_profile *p, const struct merged *m, const struct comp *c) {
  uint32_t nl = __atomic_load_n(&ap_nloop_slots, __ATOMIC_ACQUIRE);
  struct ap_lctr *sum = calloc(nl + 1, sizeof *sum);
  uint64_t *nested = calloc(5 * ((size_t)nl + 1), sizeof *nested), *wtimed = nested + nl + 1;
  uint64_t *ntimed = wtimed + nl + 1; /* timed entries */
  uint64_t *cloop = ntimed + nl + 1;  /* loop records made by calls inside them */
  uint64_t *csite = cloop + nl + 1;   /* call-site probes inside them */
  if (!sum || !nested) {
    free(sum);
    free(nested);
    return -1;
  }
  for (struct ap_thread *t = ap_threads; t; t = t->next) {
    struct ap_lctr *lc = __atomic_load_n(&t->lctr, __ATOMIC_ACQUIRE);
    const struct ap_lnest *ln = ap_lnest_of(lc);
    for (uint32_t s = 1; s <= nl && s < lc[0].iterations; s++) {
      nested[s] += ln[s].nested;
      wtimed[s] += ln[s].wtimed;
      ntimed[s] += ln[s].timed;
      cloop[s] += ln[s].cloop;
      csite[s] += ln[s].csite;
      struct ap_lctr *d = &sum[s], *x = &lc[s];
      d->entries += x->entries;
      d->iterations += x->iterations;
      d->ticks += x->ticks;
      for (int k = 0; k < AP_NPROBES_LOOP; k++)
        d->probes[k] += x->probes[k];
      d->zero_trip += x->zero_trip;
      if (x->min && (!d->min || x->min < d->min))
        d->min = x->min;
      if (x->max > d->max)
        d->max = x->max;
    }
  }
  int rc = 0;
  long *index = calloc(nl + 1, sizeof *index);   /* loop slot -> loops[] index + 1 */
  double *scale = calloc(nl + 1, sizeof *scale); /* all entries / timed entries */
  for (uint32_t s = 1; s <= nl && !rc; s++) {
    const struct ap_loop_slot_info *li = &ap_loop_slots[s];
    if (!index || !scale) {
      rc = -1;
      break;
    }
    if (!sum[s].entries && !sum[s].zero_trip)
      continue;
    long i = ap_profile_add_loop(p, li->function, li->file, li->line, li->depth);
    if (i < 0 || ap_profile_set_str(&p->loops[i].origin_function, li->origin)) {
      rc = -1;
      break;
    }
    index[s] = i + 1;
    struct ap_prof_loop *l = &p->loops[i];
    l->entries = sum[s].entries;
    l->iterations = sum[s].iterations;
    l->min_trip = sum[s].min;
    l->max_trip = sum[s].max;
    l->zero_trip = sum[s].zero_trip;
    l->timed = (li->flags & AP_LOOP_TIMED) != 0;
    /* adaptive timing: the timed entries stand for all the outermost ones
     * (an entry nested in another of the same loop is inside its time) */
    uint64_t all = sum[s].entries + sum[s].zero_trip;
    l->nested_entries = nested[s] < all ? nested[s] : all;
    all -= l->nested_entries;
    scale[s] = ntimed[s] && ntimed[s] < all ? (double)all / (double)ntimed[s] : 1;
    l->timed_entries = !l->timed ? 0 : ntimed[s] < all ? ntimed[s] : all;
    /* ticks and probes are weighted by the entries each timed one stands
     * for (struct ap_frame.w): their weighted mean times all entries */
    double wt = wtimed[s] ? (double)wtimed[s] : (double)ntimed[s];
    double ticks = (double)sum[s].ticks - wt * c->lself;
    for (int k = 0; k < AP_NPROBES_LOOP; k++)
      ticks -= (double)sum[s].probes[k] * c->cost[k];
    ticks -= (double)cloop[s] * c->cost[AP_P_CLOOP];
    ticks -= (double)csite[s] * c->cost[AP_P_CSITE];
    l->incl_ns = to_ns(c, wt > 0 && wt != (double)all ? ticks * (double)all / wt : ticks);
  }
  for (uint32_t s = 1; s <= nl && !rc; s++)
    if (index[s] && ap_loop_slots[s].parent && index[ap_loop_slots[s].parent])
      p->loops[index[s] - 1].parent = index[ap_loop_slots[s].parent] - 1;
  struct loop_calls lc = {0};
  if (!rc)
    rc = collect_loop_calls(&lc, m, c) || fill_loop_calls(p, index, scale, nl, &lc, c);
  free(lc.v);
  free(scale);
  free(index);
  free(nested);
  free(sum);
  return rc;
}

/* Memo candidates: each one's evidence merged over threads. */
static int build_memo(struct ap_profile *p) {
  struct ap_memo_totals *m = malloc(sizeof *m);
  if (!m)
    return -1;
  int rc = 0;
  for (uint32_t s = 1; s <= ap_nslots && !rc; s++) {
    memset(m, 0, sizeof *m);
    for (struct ap_thread *t = ap_threads; t; t = t->next) {
      struct ap_memo_state **v = __atomic_load_n(&t->memo, __ATOMIC_ACQUIRE);
      if (v && s < t->nmemo && v[s])
        ap_memo_merge(m, v[s]);
    }
    if (!m->calls)
      continue;
    const struct ap_slot_info *si = &ap_slots[s];
    uint64_t distinct = ap_memo_distinct(m);
    long i = ap_profile_add_memo(p, si->name, m->calls, 1.0 - (double)distinct / (double)m->calls);
    if (i < 0 || ap_profile_set_str(&p->memo[i].file, si->file)) {
      rc = -1;
      break;
    }
    struct ap_prof_memo *pm = &p->memo[i];
    pm->line = si->line;
    pm->distinct = distinct;
    pm->proven = (si->flags & (AP_FUNC_CONST | AP_FUNC_PURE)) != 0;
    pm->pointer_args = (int)si->pointer_args;
    /* LRU caches include each other: the biggest saw every repeat the
     * smaller ones did; a result that ever differed is what counts.  Calls
     * past the simulated ones take the simulated ones' rates. */
    pm->simulated = m->simulated;
    double tpn = p->ticks_per_ns > 0 ? p->ticks_per_ns : 1;
    pm->raw_ns = m->raw_ticks / tpn;
    pm->raw_calls = m->raw_calls;
    for (int k = 0; k < AP_MEMO_CACHES; k++) {
      pm->hit_raw_ns[k] = m->hit_ticks[k] / tpn;
      pm->hit_raw_calls[k] = m->hit_calls[k];
    }
    double k_all = m->simulated ? (double)m->calls / (double)m->simulated : 1;
#define AP_SCALED(v) ((uint64_t)((double)(v)*k_all + 0.5))
    for (int k = 0; k < AP_MEMO_CACHES; k++) {
      pm->cache_size[k] = ap_memo_sizes()[k];
      pm->cache_hits[k] = AP_SCALED(m->hits[k]);
      if (m->same[k] + m->differ[k] > pm->same_result + pm->other_result) {
        pm->same_result = m->same[k];
        pm->other_result = m->differ[k];
      }
      if (m->differ[k] > pm->other_result)
        pm->other_result = m->differ[k];
    }
    pm->same_result = AP_SCALED(pm->same_result);
    pm->other_result = AP_SCALED(pm->other_result);
#undef AP_SCALED
    ap_memo_bound_distinct(pm);
  }
  free(m);
  return rc;
}

/* Loop-invariant call candidates, one entry per call site. */
static int build_callsites(struct ap_profile *p, const struct comp *cmp) {
  uint32_t n = __atomic_load_n(&ap_ncallsites, __ATOMIC_ACQUIRE);
  for (uint32_t s = 1; s <= n; s++) {
    uint64_t calls, same_args, same_both, sampled, ticks;
    ap_call_site_totals(s, &calls, &same_args, &same_both, &sampled, &ticks);
    if (!calls)
      continue;
    const struct ap_call_site *cs = &ap_callsites[s];
    long i =
        ap_profile_add_callsite(p, cs->callee, cs->function, cs->file, cs->line, cs->loop_line);
    if (i < 0)
      return -1;
    struct ap_prof_callsite *c = &p->callsites[i];
    c->builtin = (cs->flags & AP_CALL_BUILTIN) != 0;
    c->calls = calls;
    c->same_args = same_args;
    c->same_both = same_both;
    c->sampled = sampled;
    c->ns_per_call = sampled ? (double)ticks / cmp->tpn / (double)sampled : 0;
  }
  return 0;
}

static int by_index(const void *a, const void *b) {
  const struct ap_prof_thread *x = a, *y = b;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Per thread: its calls, and the time of its outermost instrumented
 * activations (their call-path roots). */
static int build_threads(struct ap_profile *p, const struct merged *m, const struct comp *c) {
  for (struct ap_thread *t = ap_threads; t; t = t->next) {
    uint64_t calls = 0;
    double busy = 0;
    struct ap_ctr *ctr = __atomic_load_n(&t->ctr, __ATOMIC_ACQUIRE);
    for (uint32_t s = 1; s < t->nslots; s++)
      calls += ctr[s].calls;
    for (struct ap_node *n = t->root.kids; n; n = n->next) {
      if (n->slot & AP_LOOP_NODE)
        continue;
      /* a root still open at exit (a worker never joined, blocked in a
       * wait) has no time of its own: thread_node_ticks gives its share of
       * the merged path's, which counts its finished callees (mark_open) */
      busy += thread_node_ticks(m, c, n);
    }
    long ti = ap_profile_add_thread(p, t->index, t->tid, calls, to_ns(c, busy));
    if (ti < 0)
      return -1;
    p->threads[ti].threads = t->served ? t->served : 1;
    p->lost_frames += t->lost_total;
    p->folded_calls += t->folded;
    p->cpu_wait_ns += (uint64_t)to_ns(c, (double)(t->cpu_wait - t->cw_base));
  }
  if (p->nthreads)
    qsort(p->threads, p->nthreads, sizeof *p->threads, by_index);
  return 0;
}

static int build_header(struct ap_profile *p, const struct ap_calibration *cal) {
  extern char *program_invocation_short_name;
  const struct ap_module *m = ap_first_module;
  p->pid = getpid();
  p->wall_ns = ap_clock_wall_ns();
  p->ticks_per_ns = cal->ticks_per_ns;
  p->probe_cost_ns = cal->pair_ticks / cal->ticks_per_ns;
  p->call_cost_ns = cal->call_ticks / cal->ticks_per_ns;
  const double ticks[AP_NCALIBRATION] = {[AP_CAL_SELF] = cal->self_ticks,
                                         [AP_CAL_SAMPLED_SELF] = cal->sampled_self_ticks,
                                         [AP_CAL_TIMED] = cal->pair_ticks,
                                         [AP_CAL_SAMPLED_TIMED] = cal->sampled_pair_ticks,
                                         [AP_CAL_UNTIMED] = cal->untimed_pair_ticks,
                                         [AP_CAL_FRAMELESS] = cal->frameless_ticks,
                                         [AP_CAL_TIMED_LOOP] = cal->loop_pair_ticks,
                                         [AP_CAL_UNTIMED_LOOP] = cal->untimed_loop_ticks,
                                         [AP_CAL_INLINE_LOOP] = cal->inline_loop_ticks,
                                         [AP_CAL_LOOP_SELF] = cal->loop_self_ticks,
                                         [AP_CAL_INLINE_LEAF] = cal->inline_leaf_ticks,
                                         [AP_CAL_LEAF_RUN] = cal->leaf_run_ticks,
                                         [AP_CAL_CALL_LOOP] = cal->call_loop_ticks,
                                         [AP_CAL_CALL_SITE] = cal->call_site_ticks};
  for (int k = 0; k < AP_NCALIBRATION; k++)
    p->calibration_ns[k] = ticks[k] / cal->ticks_per_ns;
  p->compensation = ap_cfg.compensate;
  p->policy_digest = m ? m->policy_digest : 0;
  p->policy_mixed = ap_policy_mixed;
  char compilers[512] = "";
  for (unsigned i = 0, n = 0; i < ap_ncompilers && n < sizeof compilers; i++)
    n += (unsigned)snprintf(compilers + n, sizeof compilers - n, "%s%s", i ? ", " : "",
                            ap_compilers[i]);
  return ap_profile_set_str(&p->program, program_invocation_short_name) ||
         ap_profile_set_str(&p->clock_source, AP_CLOCK_SOURCE) ||
         ap_profile_set_str(&p->policy_file, m && m->policy_file ? m->policy_file : "<default>") ||
         ap_profile_set_str(&p->compiler, ap_ncompilers ? compilers : NULL);
}

/* Under ap_lock: everything the threads counted, as one profile. */
static struct ap_profile *build_profile(const struct ap_calibration *cal) {
  struct ap_profile *p = ap_profile_new();
  struct merged m = {0};
  struct comp c = {.tpn = cal->ticks_per_ns > 0 ? cal->ticks_per_ns : 1};
  if (ap_cfg.compensate) {
    c.self = cal->self_ticks;
    c.sself = cal->sampled_self_ticks;
    c.cost[AP_P_TIMED] = cal->pair_ticks;
    c.cost[AP_P_STIMED] = cal->sampled_pair_ticks;
    c.cost[AP_P_UNTIMED] = cal->untimed_pair_ticks;
    c.cost[AP_P_FRAMELESS] = cal->frameless_ticks;
    c.cost[AP_P_LOOP] = cal->loop_pair_ticks;
    c.cost[AP_P_ULOOP] = cal->untimed_loop_ticks;
    c.cost[AP_P_ILOOP] = cal->inline_loop_ticks;
    c.cost[AP_P_ILEAF] = cal->inline_leaf_ticks;
    c.cost[AP_P_ILEAF_RUN] = cal->leaf_run_ticks;
    c.cost[AP_P_CLOOP] = cal->call_loop_ticks;
    c.cost[AP_P_CSITE] = cal->call_site_ticks;
    c.lself = cal->loop_self_ticks;
  }
  int rc = !p || build_header(p, cal);
  for (struct ap_thread *t = ap_threads; t && !rc; t = t->next)
    rc = merge_tree(&m, t);
  if (!rc)
    mark_open(&m);
  if (!rc) {
    rc = build_functions(p, &m, &c) || build_loops(p, &m, &c) || build_memo(p) ||
         build_callsites(p, &c) || build_threads(p, &m, &c);
  }
  free(m.v);
  free(m.hash);
  if (rc) {
    ap_profile_free(p);
    return NULL;
  }
  return p;
}

/* report.output with %n (program), %p (pid), %% expanded; -1 if too long. */
static int expand_output(const char *pat, const struct ap_profile *p, char *out, size_t n) {
  size_t o = 0;
  for (const char *s = pat; *s; s++) {
    int w;
    if (s[0] == '%' && s[1] == 'n')
      w = snprintf(out + o, n - o, "%s", p->program), s++;
    else if (s[0] == '%' && s[1] == 'p')
      w = snprintf(out + o, n - o, "%lld", (long long)p->pid), s++;
    else if (s[0] == '%' && s[1] == '%')
      w = snprintf(out + o, n - o, "%%"), s++;
    else
      w = snprintf(out + o, n - o, "%c", *s);
    if (w < 0 || (size_t)w >= n - o)
      return -1;
    o += (size_t)w;
  }
  return 0;
}

/* Lines for stderr at exit, when descriptor 2 is still the program's
 * stderr (ap_stderr_is_ours): set by ap_finish_report. */
static int stderr_ok;
#define say(...) (stderr_ok ? (void)fprintf(stderr, __VA_ARGS__) : (void)0)

/* BASE.ext through a temporary file and rename(): a reader never sees a
 * half-written profile.  On failure: one stderr line, path, reason, fix. */
static int write_file(const struct ap_profile *p, const char *base, const char *ext, int text,
                      char *path, size_t n) {
  char tmp[4200];
  snprintf(path, n, "%s.%s", base, ext);
  snprintf(tmp, sizeof tmp, "%s.tmp.%lld", path, (long long)p->pid);
  FILE *f = fopen(tmp, "w");
  int err = 0;
  if (!f) {
    err = errno;
  } else {
    int rc = text ? ap_profile_write_text(p, f, (unsigned)ap_cfg.top) : ap_profile_write_json(p, f);
    if (rc)
      err = errno ? errno : EIO;
    if (fclose(f) && !err)
      err = errno ? errno : EIO;
    if (!err && rename(tmp, path))
      err = errno;
    if (err)
      unlink(tmp);
  }
  if (err)
    say("autoprof: cannot write the profile %s: %s; set AUTOPROF_OUTPUT to a writable path "
        "(e.g. AUTOPROF_OUTPUT=/tmp/autoprof.%%n.%%p)\n",
        path, strerror(err));
  return err ? -1 : 0;
}

static void print_summary(const struct ap_profile *p, const char *files) {
  char calls[32], wall[32];
  uint64_t total = 0;
  const struct ap_prof_func *hot = NULL;
  for (size_t i = 0; i < p->nfunctions; i++) {
    total += p->functions[i].calls;
    if (!hot || p->functions[i].excl_ns > hot->excl_ns)
      hot = &p->functions[i];
  }
  double run = (double)ap_profile_run_ns(p);
  uint64_t threads = ap_profile_thread_count(p);
  char nfunc[32];
  say("autoprof: %s call%s to %s function%s in %llu thread%s over %s", ap_fmt_count(calls, total),
      total == 1 ? "" : "s", ap_fmt_count(nfunc, p->nfunctions), p->nfunctions == 1 ? "" : "s",
      (unsigned long long)threads, threads == 1 ? "" : "s", ap_fmt_ns(wall, (double)p->wall_ns));
  if (hot)
    say("; hottest: %s (%.1f%% self) at %s:%u", hot->name,
        run > 0 ? 100.0 * (double)hot->excl_ns / run : 0.0, hot->file, hot->line);
  say("\nautoprof: %s (%zu hint%s)\n", files, p->nhints, p->nhints == 1 ? "" : "s");
}

static int write_report(struct ap_profile *p) {
  char base[4096], json[4200], text[4200], files[8600];
  if (expand_output(ap_cfg.output, p, base, sizeof base)) {
    say("autoprof: the output path %s is too long; set AUTOPROF_OUTPUT to a shorter path\n",
        ap_cfg.output);
    return -1;
  }
  if ((ap_cfg.formats & AP_FORMAT_JSON) && write_file(p, base, "json", 0, json, sizeof json))
    return -1;
  if ((ap_cfg.formats & AP_FORMAT_TEXT) && write_file(p, base, "txt", 1, text, sizeof text))
    return -1;
  if (!(ap_cfg.formats & (AP_FORMAT_JSON | AP_FORMAT_TEXT)))
    snprintf(files, sizeof files, "no files written (AUTOPROF_FORMATS=none)");
  else
    snprintf(files, sizeof files, "wrote %s%s%s", (ap_cfg.formats & AP_FORMAT_JSON) ? json : "",
             (ap_cfg.formats & AP_FORMAT_JSON) && (ap_cfg.formats & AP_FORMAT_TEXT) ? ", " : "",
             (ap_cfg.formats & AP_FORMAT_TEXT) ? text : "");
  if (!ap_cfg.quiet)
    print_summary(p, files);
  return 0;
}

static void hint_params(struct ap_hint_params *q) {
  ap_hint_params_default(q);
  q->hot_function_share = ap_cfg.hot_function_share;
  q->hot_path_share = ap_cfg.hot_path_share;
  q->hot_loop_share = ap_cfg.hot_loop_share;
  q->memo_min_repeat_rate = ap_cfg.memo_min_repeat_rate;
  q->inline_min_calls = ap_cfg.inline_min_calls;
  q->inline_min_overhead = ap_cfg.inline_min_overhead;
  q->inline_min_share = ap_cfg.inline_min_share;
}

/* SIGPIPE and SIGXFSZ pending now that were not before the report, nor
 * blocked by the program: raised by the report's writes. */
static void drop_raised(const sigset_t *before, const sigset_t *mask) {
  sigset_t now;
  sigpending(&now);
  const int sigs[] = {SIGPIPE, SIGXFSZ};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    if (sigismember(&now, sigs[i]) && !sigismember(before, sigs[i]) &&
        !sigismember(mask, sigs[i])) {
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, sigs[i]);
      struct timespec zero = {0, 0};
      sigtimedwait(&one, NULL, &zero);
    }
}

/* Once per process (per fork child): at exit or from autoprof_finish(). */
int ap_finish_report(void) {
  if (ap_disabled || __atomic_exchange_n(&ap_finished, 1, __ATOMIC_ACQ_REL))
    return 1;
  int saved = errno;
  stderr_ok = ap_stderr_is_ours();
  /* a write to a pipe nobody reads, or past RLIMIT_FSIZE, raises SIGPIPE
   * or SIGXFSZ, whose default kills the program — before stdio flushed
   * its output (helper-23): blocked while the report is written, and
   * the ones its writes raised dropped */
  sigset_t block, old, before;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  sigaddset(&block, SIGXFSZ);
  sigpending(&before);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  struct ap_thread *self = ap_tls;
  if (self)
    ap_thread_close_all(self, ap_now(self));
  struct ap_calibration cal;
  ap_calibrate(&cal);
  pthread_mutex_lock(&ap_lock);
  struct ap_profile *p = build_profile(&cal);
  pthread_mutex_unlock(&ap_lock);
  int rc = -1;
  struct ap_hint_params q;
  hint_params(&q);
  if (!p || ap_profile_analyze(p, &q) < 0)
    say("autoprof: out of memory while building the report; no profile written\n");
  else
    rc = write_report(p);
  ap_profile_free(p);
  drop_raised(&before, &old);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  errno = saved;
  return rc;
}

int autoprof_finish(void) {
  ap_init();
  return ap_finish_report();
}

const char *autoprof_version(void) {
  return AUTOPROF_VERSION;
}
