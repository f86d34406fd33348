/* The normalized form of a policy: canonical YAML, written from the schema
 * table in schema order.  It is what `autoprof policy show` prints and what
 * the digest is computed over, so key order, comments, quoting and number
 * spelling in the source file do not change the digest. */
#include "policy_int.h"

#include <stdlib.h>
#include <string.h>

/* The shortest %g spelling that reads back as the same double. */
static void ap_write_number(FILE *out, double v) {
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  fputs(buf, out);
}

/* Decodes one UTF-8 sequence at s; returns its length, 0 if malformed. */
static size_t ap_utf8(const unsigned char *s, unsigned long *cp) {
  size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
  if (!n || (s[0] >= 0xf8))
    return 0;
  *cp = s[0] & (0x7fu >> n);
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    *cp = *cp << 6 | (s[i] & 0x3fu);
  }
  return n;
}

/* Double-quoted YAML, with everything outside printable ASCII escaped so
 * the dump reads back to the same bytes whatever the value holds. */
static void ap_write_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned long cp;
    size_t n;
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p >= 0x20 && *p < 0x7f)
      fputc(*p, out);
    else if (*p >= 0x80 && (n = ap_utf8(p, &cp)) != 0) {
      fprintf(out, cp > 0xffff ? "\\U%08lx" : "\\u%04lx", cp);
      p += n - 1;
    } else
      fprintf(out, "\\x%02x", *p);
  }
  fputc('"', out);
}

static void ap_write_words(FILE *out, unsigned bits, const char *const *words) {
  const char *sep = "";
  fputc('[', out);
  for (unsigned i = 0; words[i]; i++)
    if (bits & (1u << i)) {
      fprintf(out, "%s%s", sep, words[i]);
      sep = ", ";
    }
  fputc(']', out);
}

static void ap_write_value(FILE *out, const struct ap_key *k, const void *at) {
  switch (k->kind) {
  case AP_K_GLOBS: {
    const struct ap_globs *g = at;
    fputc('[', out);
    for (size_t i = 0; i < g->count; i++) {
      fputs(i ? ", " : "", out);
      ap_write_string(out, g->items[i]);
    }
    fputc(']', out);
    break;
  }
  case AP_K_UINT:
    fprintf(out, "%u", *(const unsigned *)at);
    break;
  case AP_K_BOOL:
    fputs(*(const int *)at ? "true" : "false", out);
    break;
  case AP_K_ENUM:
    fputs(k->words[*(const int *)at], out);
    break;
  case AP_K_STRING:
    ap_write_string(out, *(char *const *)at ? *(char *const *)at : "");
    break;
  case AP_K_FORMATS:
    ap_write_words(out, *(const unsigned *)at, k->words);
    break;
  case AP_K_SHARE:
    ap_write_number(out, *(const double *)at);
    break;
  }
}

void ap_policy_write_settings(const struct ap_policy *policy, FILE *out) {
  const char *section = NULL;
  fputs("version: 1\n", out);
  for (size_t i = 0; i < ap_policy_schema_len; i++) {
    const struct ap_key *k = &ap_policy_schema[i];
    if (!section || strcmp(section, k->section) != 0)
      fprintf(out, "%s:\n", section = k->section);
    fprintf(out, "  %s: ", k->name);
    ap_write_value(out, k, (const char *)policy + k->offset);
    fputc('\n', out);
  }
}

/* FNV-1a 64: small, stable across hosts, good enough to tell policies apart. */
uint64_t ap_policy_compute_digest(const struct ap_policy *policy) {
  char *text = NULL;
  size_t len = 0;
  uint64_t h = 0xcbf29ce484222325ull;
  FILE *mem = open_memstream(&text, &len);
  if (!mem)
    return 0;
  ap_policy_write_settings(policy, mem);
  if (fclose(mem) != 0) {
    free(text);
    return 0;
  }
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)text[i]) * 0x100000001b3ull;
  free(text);
  return h;
}

int ap_policy_dump(const struct ap_policy *policy, FILE *out) {
  fprintf(out, "# autoprof policy, normalized (digest %016llx)\n",
          (unsigned long long)policy->digest);
  ap_policy_write_settings(policy, out);
  return ferror(out) ? -1 : 0;
}
