/* Registration of the plugins' site tables: ABI check, dense slots, one slot
 * per source function (clones and split parts of one function share it),
 * and the runtime's one-time start-up (settings, clock, exit and fork
 * handlers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "rt.h"

/* The link-time guard: every instrumented object references it. */
const int __autoprof_abi_v2 = AP_ABI_VERSION;

pthread_mutex_t ap_lock = PTHREAD_MUTEX_INITIALIZER;
struct ap_thread *ap_threads;
int ap_disabled;
uint32_t ap_nslots;
struct ap_slot_info *ap_slots;
const struct ap_module *ap_first_module;
int ap_policy_mixed;
const char *ap_compilers[AP_MAX_COMPILERS];
unsigned ap_ncompilers;

/* Adds NAME to ap_compilers unless it is there (under ap_lock; interned
 * strings are equal when their pointers are). */
static void note_compiler(const char *name) {
  if (!name || !*name)
    return;
  const char *s = ap_intern(name);
  for (unsigned i = 0; i < ap_ncompilers; i++)
    if (ap_compilers[i] == s)
      return;
  if (ap_ncompilers < AP_MAX_COMPILERS)
    ap_compilers[ap_ncompilers++] = s;
}

uint32_t ap_nloop_slots;
struct ap_loop_slot_info *ap_loop_slots;

static uint32_t slots_cap, loop_slots_cap;
static uint32_t *slot_hash; /* open addressing: slot ids by (name, file, line) */
static uint32_t hash_cap;
static const void *ranges[64]; /* site tables already walked (one per link unit) */
static unsigned nranges;
static pthread_key_t thread_key;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* A thread's end, pthread_exit from deep frames included: close its open
 * frames so their time counts.  The record stays on the list, its data
 * kept, and serves the next thread that starts (ap_thread_retire). */
static void thread_exit(void *p) {
  struct ap_thread *t = p;
  if (!ap_finished) {
    ap_thread_close_all(t, ap_now(t));
    ap_thread_retire(t);
  }
}

static void at_exit(void) {
  ap_finish_report();
}

static void fork_prepare(void) {
  pthread_mutex_lock(&ap_lock);
}
static void fork_parent(void) {
  pthread_mutex_unlock(&ap_lock);
}
/* The child counts from the fork: its report has what it ran, under its
 * own pid, and the parent's what the parent ran (docs/runtime-flags.md), so
 * that `autoprof merge` of both counts everything once. */
static void fork_child(void) {
  ap_fork_reset();
  pthread_mutex_unlock(&ap_lock);
}

/* The stderr the program started with (descriptor 2's file): the summary
 * goes there only if descriptor 2 is still that file at exit, never into
 * a file the program opened after closing it (helper-23: the summary was
 * appended to the program's data file). */
static struct stat stderr0;
static int have_stderr0;

int ap_stderr_is_ours(void) {
  struct stat now;
  return have_stderr0 && fstat(2, &now) == 0 && now.st_dev == stderr0.st_dev &&
         now.st_ino == stderr0.st_ino;
}

static void init(void) {
  ap_settings_from_env();
  ap_disabled = ap_cfg.disable;
  if (ap_disabled)
    return;
  have_stderr0 = fstat(2, &stderr0) == 0;
  ap_clock_start();
  pthread_key_create(&thread_key, thread_exit);
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  /* registered at the first registration: runs after the user's atexit
   * handlers registered later (main's), i.e. after the program is done */
  atexit(at_exit);
  at_quick_exit(at_exit); /* quick_exit() runs these, not the atexit ones */
}

void ap_init(void) {
  pthread_once(&init_once, init);
}

/* thread.c calls this once per thread record */
void ap_thread_attach(struct ap_thread *t) {
  pthread_setspecific(thread_key, t);
}

static uint64_t site_hash(const char *name, const char *file, uint32_t line) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const char *s = name; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  h = (h ^ 0xff) * 1099511628211ull;
  for (const char *s = file; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return (h ^ line) * 1099511628211ull;
}

static int same_function(const struct ap_slot_info *a, const char *name, const char *file,
                         uint32_t line) {
  return a->line == line && strcmp(a->name, name) == 0 && strcmp(a->file, file) == 0;
}

static int rehash(void) {
  uint32_t cap = hash_cap ? hash_cap * 2 : 1024;
  uint32_t *h = calloc(cap, sizeof *h);
  if (!h)
    return -1;
  for (uint32_t s = 1; s <= ap_nslots; s++) {
    uint64_t i = site_hash(ap_slots[s].name, ap_slots[s].file, ap_slots[s].line);
    while (h[i & (cap - 1)])
      i++;
    h[i & (cap - 1)] = s;
  }
  free(slot_hash);
  slot_hash = h;
  hash_cap = cap;
  return 0;
}

/* The strings the report needs, copied once each (under ap_lock): a module
 * unloaded with dlclose takes its own with it, and the report at exit read
 * them (SIGSEGV in the user's program).  NULL stays NULL; without memory
 * the string is "?". */
static char **interned;
static size_t interned_cap, interned_n;

const char *ap_intern(const char *s) {
  if (!s)
    return NULL;
  if ((interned_n + 1) * 2 > interned_cap) {
    size_t cap = interned_cap ? interned_cap * 2 : 1024;
    char **q = calloc(cap, sizeof *q);
    if (!q)
      return "?";
    for (size_t i = 0; i < interned_cap; i++)
      if (interned[i]) {
        uint64_t h = site_hash(interned[i], "", 0);
        while (q[h & (cap - 1)])
          h++;
        q[h & (cap - 1)] = interned[i];
      }
    free(interned);
    interned = q;
    interned_cap = cap;
  }
  uint64_t h = site_hash(s, "", 0);
  for (; interned[h & (interned_cap - 1)]; h++)
    if (strcmp(interned[h & (interned_cap - 1)], s) == 0)
      return interned[h & (interned_cap - 1)];
  char *c = strdup(s);
  if (!c)
    return "?";
  interned[h & (interned_cap - 1)] = c;
  interned_n++;
  return c;
}

static void add_symbol(struct ap_slot_info *si, const char *symbol) {
  if (!symbol)
    return;
  for (uint32_t i = 0; i < si->nsymbols; i++)
    if (strcmp(si->symbols[i], symbol) == 0)
      return;
  const char **q = realloc(si->symbols, (si->nsymbols + 1) * sizeof *q);
  if (q) {
    q[si->nsymbols++] = ap_intern(symbol);
    si->symbols = q;
  }
}

static uint32_t new_slot(const char *name, const char *file, uint32_t line) {
  if (ap_nslots + 2 > slots_cap) {
    uint32_t cap = slots_cap ? slots_cap * 2 : 256;
    struct ap_slot_info *q = realloc(ap_slots, cap * sizeof *q);
    if (!q)
      return 0;
    ap_slots = q;
    slots_cap = cap;
  }
  if ((ap_nslots + 1) * 2 > hash_cap && rehash())
    return 0;
  uint32_t s = ap_nslots + 1;
  ap_slots[s] = (struct ap_slot_info){name, file, line, 0, 0, NULL, 0};
  uint64_t i = site_hash(name, file, line);
  while (slot_hash[i & (hash_cap - 1)])
    i++;
  slot_hash[i & (hash_cap - 1)] = s;
  __atomic_store_n(&ap_nslots, s, __ATOMIC_RELEASE);
  return s;
}

/* Under ap_lock.  Returns the site's slot, 0 without memory. */
uint32_t ap_register_site(struct ap_func_site *site) {
  uint32_t s = site->slot;
  if (s)
    return s;
  const char *name = site->name ? site->name : "?";
  const char *file = site->file ? site->file : "";
  if (hash_cap) {
    for (uint64_t i = site_hash(name, file, site->line); slot_hash[i & (hash_cap - 1)]; i++) {
      uint32_t c = slot_hash[i & (hash_cap - 1)];
      if (same_function(&ap_slots[c], name, file, site->line)) {
        s = c;
        break;
      }
    }
  }
  if (!s && !(s = new_slot(ap_intern(name), ap_intern(file), site->line)))
    return 0;
  ap_slots[s].flags |= site->flags;
  for (uint64_t k = site->arg_kinds >> 4; k; k >>= 4)
    if ((k & 15) == AP_ARG_POINTER)
      ap_slots[s].pointer_args = 1;
  add_symbol(&ap_slots[s], site->symbol);
  __atomic_store_n(&site->slot, s, __ATOMIC_RELEASE);
  return s;
}

static int same_loop(const struct ap_loop_slot_info *a, const struct ap_loop_slot_info *b) {
  return a->line == b->line && a->parent == b->parent && strcmp(a->file, b->file) == 0 &&
         strcmp(a->function, b->function) == 0 && strcmp(a->origin, b->origin) == 0;
}

/* Under ap_lock.  One slot per loop of the source as it lives in one
 * function: the copies GCC made of it (inlining twice into the same
 * function, clones) share it.  Loops are few: a linear search is enough. */
uint32_t ap_register_loop(struct ap_loop_site *site) {
  uint32_t s = site->slot;
  if (s)
    return s;
  /* the parent first: its record lives in the same table, registered or not */
  uint32_t parent = site->parent ? ap_register_loop((struct ap_loop_site *)site->parent) : 0;
  struct ap_loop_slot_info li = {
      ap_intern(site->file ? site->file : ""),
      ap_intern(site->func && site->func->name ? site->func->name : "?"),
      ap_intern(site->origin_function ? site->origin_function : "?"),
      site->line,
      site->depth,
      site->flags,
      parent,
  };
  for (uint32_t i = 1; i <= ap_nloop_slots && !s; i++)
    if (same_loop(&ap_loop_slots[i], &li))
      s = i;
  if (!s) {
    if (ap_nloop_slots + 2 > loop_slots_cap) {
      uint32_t cap = loop_slots_cap ? loop_slots_cap * 2 : 64;
      struct ap_loop_slot_info *q = realloc(ap_loop_slots, cap * sizeof *q);
      if (!q)
        return 0;
      ap_loop_slots = q;
      loop_slots_cap = cap;
    }
    s = ap_nloop_slots + 1;
    ap_loop_slots[s] = li;
    __atomic_store_n(&ap_nloop_slots, s, __ATOMIC_RELEASE);
  }
  ap_loop_slots[s].flags |= site->flags;
  __atomic_store_n(&site->slot, s, __ATOMIC_RELEASE);
  return s;
}

static int range_seen(const void *begin) {
  for (unsigned i = 0; i < nranges; i++)
    if (ranges[i] == begin)
      return 1;
  if (nranges < sizeof ranges / sizeof ranges[0])
    ranges[nranges++] = begin;
  return 0;
}

void __autoprof_register(struct ap_module *m) {
  if (!m)
    return;
  ap_init();
  if (ap_disabled)
    return;
  if (m->abi_version != AP_ABI_VERSION) {
    /* its records may have another layout: touch nothing but the name */
    fprintf(stderr,
            "autoprof: %s was compiled for probe ABI %u but this runtime speaks %d; rebuild it "
            "with this autoprof — its functions are not profiled\n",
            m->source ? m->source : "an object", m->abi_version, AP_ABI_VERSION);
    return;
  }
  pthread_mutex_lock(&ap_lock);
  if (!ap_first_module) {
    /* a copy, strings included: the module may be unloaded (dlclose) */
    static struct ap_module first;
    first = *m;
    first.funcs_begin = first.funcs_end = NULL;
    first.loops_begin = first.loops_end = NULL;
    first.source = ap_intern(m->source);
    first.compiler = ap_intern(m->compiler);
    first.policy_file = ap_intern(m->policy_file);
    first.report_output = ap_intern(m->report_output);
    ap_first_module = &first;
    ap_settings_from_module(&first);
  } else if (m->policy_digest != ap_first_module->policy_digest) {
    ap_policy_mixed = 1;
  }
  note_compiler(m->compiler);
  if (m->funcs_begin && m->funcs_end > m->funcs_begin && !range_seen(m->funcs_begin))
    for (struct ap_func_site *s = m->funcs_begin; s < m->funcs_end; s++)
      ap_register_site(s);
  if (m->loops_begin && m->loops_end > m->loops_begin && !range_seen(m->loops_begin))
    for (struct ap_loop_site *s = m->loops_begin; s < m->loops_end; s++)
      ap_register_loop(s);
  pthread_mutex_unlock(&ap_lock);
}
