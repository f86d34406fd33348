/* Loop-invariant call evidence: per call site (a const/pure call made
 * inside a loop) and per thread, the calls, and how many had the same
 * argument fingerprint as the previous call at that site, and of those how
 * many also returned the same result; one call in 64 is timed between the
 * begin probe and this one.  64 bytes of state per site and thread; sites
 * are registered at their first probe (slow path). */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

struct ap_cs_ctr {
  uint64_t last_args, last_result;
  uint64_t calls, same_args, same_both;
  uint64_t t0;                     /* clock at the begin probe of a sampled call, else 0 */
  uint64_t sampled, sampled_ticks; /* calls timed, and their time */
};

enum { AP_CS_SAMPLE = 64 }; /* one call in 64 is timed */

/* A fork child starts counting again (ap_fork_reset). */
void ap_cs_reset(struct ap_thread *t) {
  for (uint32_t s = 0; s < t->ncs && t->cs; s++) {
    struct ap_cs_ctr *c = &t->cs[s];
    c->calls = c->same_args = c->same_both = c->sampled = c->sampled_ticks = 0;
    c->t0 = 0;
  }
}

/* The calibration's record (clock.c): counters for its one unregistered
 * site, slot 1; freed with the record. */
int ap_cs_scratch(struct ap_thread *t) {
  if (!t->cs && !(t->cs = calloc(2, sizeof *t->cs)))
    return -1;
  t->ncs = 2;
  return 0;
}

uint32_t ap_ncallsites;
/* [1, ap_ncallsites]: a copy of each site's first record, strings included
 * (its module may be unloaded before the report) */
struct ap_call_site *ap_callsites;
static uint32_t callsites_cap;

/* Under ap_lock. */
static uint32_t register_call_site(struct ap_call_site *site) {
  if (site->slot)
    return site->slot;
  if (ap_ncallsites + 2 > callsites_cap) {
    uint32_t cap = callsites_cap ? callsites_cap * 2 : 64;
    struct ap_call_site *q = realloc(ap_callsites, cap * sizeof *q);
    if (!q)
      return 0;
    ap_callsites = q;
    callsites_cap = cap;
  }
  uint32_t s = ap_ncallsites + 1;
  struct ap_call_site *c = &ap_callsites[s];
  *c = *site;
  c->callee = ap_intern(site->callee);
  c->file = ap_intern(site->file);
  c->function = ap_intern(site->function);
  __atomic_store_n(&ap_ncallsites, s, __ATOMIC_RELEASE);
  __atomic_store_n(&site->slot, s, __ATOMIC_RELEASE);
  return s;
}

static AP_COLD struct ap_cs_ctr *counters_for(struct ap_thread *t, struct ap_call_site *site) {
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_ACQUIRE);
  if (!slot) {
    pthread_mutex_lock(&ap_lock);
    slot = register_call_site(site);
    pthread_mutex_unlock(&ap_lock);
    if (!slot)
      return NULL;
  }
  if (slot >= t->ncs) {
    uint32_t n = slot + slot / 2 + 16;
    struct ap_cs_ctr *c = calloc(n, sizeof *c);
    if (!c)
      return NULL;
    if (t->cs)
      memcpy(c, t->cs, t->ncs * sizeof *c);
    /* the old array stays allocated: the report may be reading it */
    __atomic_store_n(&t->cs, c, __ATOMIC_RELEASE);
    t->ncs = n;
  }
  return &t->cs[slot];
}

static inline struct ap_cs_ctr *counters(struct ap_thread *t, struct ap_call_site *site) {
  uint32_t slot = __atomic_load_n(&site->slot, __ATOMIC_RELAXED);
  return ap_likely(slot && slot < t->ncs) ? &t->cs[slot] : counters_for(t, site);
}

void __autoprof_call_begin(struct ap_call_site *site) {
  struct ap_thread *t = ap_tls;
  struct ap_cs_ctr *c = ap_likely(t) ? counters(t, site) : NULL;
  if (c && c->calls % AP_CS_SAMPLE == 0)
    c->t0 = ap_now(t); /* last: what follows is the call */
}

void __autoprof_call_site(struct ap_call_site *site, uint64_t args, uint64_t result) {
  uint64_t now = 0;
  struct ap_thread *t = ap_tls;
  if (ap_unlikely(!t))
    return; /* no instrumented function ran in this thread yet */
  struct ap_cs_ctr *c = counters(t, site);
  if (!c)
    return;
  t->probes[AP_P_CSITE]++; /* the pair's cost comes off the intervals around it */
  if (c->t0) {
    now = ap_now(t);
    c->sampled_ticks += now > c->t0 ? now - c->t0 : 0;
    c->sampled++;
    c->t0 = 0;
  }
  if (c->calls && c->last_args == args) {
    c->same_args++;
    c->same_both += c->last_result == result;
  }
  c->calls++;
  c->last_args = args;
  c->last_result = result;
}

/* At exit: the totals of site SLOT over threads. */
void ap_call_site_totals(uint32_t slot, uint64_t *calls, uint64_t *same_args, uint64_t *same_both,
                         uint64_t *sampled, uint64_t *sampled_ticks) {
  *calls = *same_args = *same_both = *sampled = *sampled_ticks = 0;
  for (struct ap_thread *t = ap_threads; t; t = t->next) {
    struct ap_cs_ctr *c = __atomic_load_n(&t->cs, __ATOMIC_ACQUIRE);
    if (c && slot < t->ncs) {
      *calls += c[slot].calls;
      *same_args += c[slot].same_args;
      *same_both += c[slot].same_both;
      *sampled += c[slot].sampled;
      *sampled_ticks += c[slot].sampled_ticks;
    }
  }
}
