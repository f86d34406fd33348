/* Static descriptors of the probe ABI (runtime/include/autoprof/abi.h),
 * built as GCC trees.  One record type per ABI struct; the field lists below
 * must follow abi.h exactly (tests/plugin checks the emitted layout against
 * the header). */
#include "autoprof_gcc.h"

extern "C" {
#include "autoprof/abi.h"
}

namespace {

struct field_spec {
  const char *name;
  tree type;
};

/* Builds a RECORD_TYPE from fields given in declaration order. */
tree build_record(const char *name, const field_spec *specs, size_t n, tree *fields_out) {
  tree type = make_node(RECORD_TYPE);
  /* finish_builtin_struct reverses the chain it is given: chain backwards. */
  tree rev = NULL_TREE;
  for (size_t i = 0; i < n; i++) {
    tree f =
        build_decl(BUILTINS_LOCATION, FIELD_DECL, get_identifier(specs[i].name), specs[i].type);
    DECL_CHAIN(f) = rev;
    rev = f;
  }
  finish_builtin_struct(type, name, rev, NULL_TREE);
  size_t i = 0;
  for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f))
    fields_out[i++] = f;
  gcc_assert(i == n);
  return type;
}

tree u32_type() {
  return unsigned_intSI_type_node;
}
tree u64_type() {
  return unsigned_intDI_type_node;
}

tree func_site_type, func_site_fields[8];
tree module_type, module_fields[17];
tree loop_site_type, loop_site_fields[8];
tree call_site_type, call_site_fields[8];

void build_types() {
  if (func_site_type)
    return;
  const field_spec site[] = {
      {"flags", u32_type()},     {"line", u32_type()},      {"slot", u32_type()},
      {"size", u32_type()},      {"name", ptr_type_node},   {"file", ptr_type_node},
      {"symbol", ptr_type_node}, {"arg_kinds", u64_type()},
  };
  func_site_type = build_record("ap_func_site", site, 8, func_site_fields);
  const field_spec mod[] = {
      {"abi_version", u32_type()},    {"report_formats", u32_type()},
      {"funcs_begin", ptr_type_node}, {"funcs_end", ptr_type_node},
      {"loops_begin", ptr_type_node}, {"loops_end", ptr_type_node},
      {"abi_guard", ptr_type_node},   {"source", ptr_type_node},
      {"compiler", ptr_type_node},    {"policy_file", ptr_type_node},
      {"policy_digest", u64_type()},  {"report_output", ptr_type_node},
      {"report_top", u32_type()},     {"hot_function_ppm", u32_type()},
      {"hot_loop_ppm", u32_type()},   {"memo_min_repeat_ppm", u32_type()},
      {"next", ptr_type_node},
  };
  module_type = build_record("ap_module", mod, 17, module_fields);
  const field_spec loop[] = {
      {"flags", u32_type()},
      {"line", u32_type()},
      {"slot", u32_type()},
      {"depth", u32_type()},
      {"file", ptr_type_node},
      {"func", ptr_type_node},
      {"origin_function", ptr_type_node},
      {"parent", ptr_type_node},
  };
  loop_site_type = build_record("ap_loop_site", loop, 8, loop_site_fields);
  const field_spec call[] = {
      {"flags", u32_type()},       {"line", u32_type()},      {"slot", u32_type()},
      {"loop_line", u32_type()},   {"callee", ptr_type_node}, {"file", ptr_type_node},
      {"function", ptr_type_node}, {"arg_kinds", u64_type()},
  };
  call_site_type = build_record("ap_call_site", call, 8, call_site_fields);
  /* The ABI is fixed-size: if GCC laid the records out differently from the
   * C header the runtime was built with, stop here rather than corrupt. */
  gcc_assert(tree_to_uhwi(TYPE_SIZE_UNIT(func_site_type)) == sizeof(struct ap_func_site));
  gcc_assert(tree_to_uhwi(TYPE_SIZE_UNIT(module_type)) == sizeof(struct ap_module));
  gcc_assert(tree_to_uhwi(TYPE_SIZE_UNIT(loop_site_type)) == sizeof(struct ap_loop_site));
  gcc_assert(tree_to_uhwi(TYPE_SIZE_UNIT(call_site_type)) == sizeof(struct ap_call_site));
}

tree str_ptr(const char *s) {
  if (!s)
    return fold_convert(ptr_type_node, null_pointer_node);
  size_t len = strlen(s) + 1;
  return fold_convert(ptr_type_node, build_string_literal(len, s));
}

tree u32(unsigned long v) {
  return build_int_cstu(u32_type(), v);
}
tree u64(unsigned long long v) {
  return build_int_cstu(u64_type(), v);
}

tree addr_of(tree var) {
  return fold_convert(ptr_type_node, build_fold_addr_expr(var));
}

/* A file-local static variable with a constant initializer. */
tree static_var(const char *prefix, tree type, tree init, const char *section,
                bool finalize = true) {
  static unsigned counter;
  char name[64];
  snprintf(name, sizeof name, "%s.%u", prefix, counter++);
  tree var = build_decl(UNKNOWN_LOCATION, VAR_DECL, get_identifier(name), type);
  TREE_STATIC(var) = 1;
  TREE_PUBLIC(var) = 0;
  DECL_ARTIFICIAL(var) = 1;
  DECL_IGNORED_P(var) = 1;
  TREE_USED(var) = 1;
  TREE_ADDRESSABLE(var) = 1;
  DECL_PRESERVE_P(var) = 1;
  DECL_CONTEXT(var) = NULL_TREE;
  /* Pin the alignment: x86-64 raises the alignment of large statics, which
   * would leave gaps between the records of a section table. */
  SET_DECL_ALIGN(var, 64);
  DECL_USER_ALIGN(var) = 1;
  if (section)
    set_decl_section_name(var, section);
  DECL_INITIAL(var) = init;
  TREE_CONSTANT(init) = 1;
  TREE_STATIC(init) = 1;
  /* Without -ftoplevel-reorder (-O0) a variable finalized while functions
   * are expanded is written out at once: finalize only complete ones. */
  if (finalize)
    varpool_node::finalize_decl(var);
  return var;
}

/* extern, hidden, optionally weak: section bounds and the ABI guard. */
tree extern_var(const char *name, bool weak) {
  tree var = build_decl(UNKNOWN_LOCATION, VAR_DECL, get_identifier(name), char_type_node);
  TREE_PUBLIC(var) = 1;
  DECL_EXTERNAL(var) = 1;
  TREE_STATIC(var) = 0;
  DECL_ARTIFICIAL(var) = 1;
  TREE_USED(var) = 1;
  TREE_ADDRESSABLE(var) = 1;
  if (weak) {
    /* Hidden, so each executable or shared object sees its own table; weak,
     * so a link unit without loops (no such section) resolves it to NULL. */
    DECL_VISIBILITY(var) = VISIBILITY_HIDDEN;
    DECL_VISIBILITY_SPECIFIED(var) = 1;
    declare_weak(var);
  }
  return var;
}

} // namespace

bool ap_is_runtime_name(const char *name) {
  return strncmp(name, "__autoprof_", 11) == 0 || strncmp(name, "autoprof_", 9) == 0;
}

tree ap_probe_decl(const char *name, tree fntype) {
  tree decl = build_fn_decl(name, fntype);
  TREE_PUBLIC(decl) = 1;
  DECL_EXTERNAL(decl) = 1;
  /* nothrow + leaf: no EH edges, and the probe never calls back into this
   * unit, so the optimizers (none run after us but RTL's) assume little. */
  TREE_NOTHROW(decl) = 1;
  DECL_ATTRIBUTES(decl) = tree_cons(get_identifier("leaf"), NULL_TREE, DECL_ATTRIBUTES(decl));
  /* noplt: called through the GOT, not a PLT stub (one jump less per
   * probe with libautoprof.so; the linker makes it a direct call when the
   * runtime is linked statically) */
  DECL_ATTRIBUTES(decl) = tree_cons(get_identifier("noplt"), NULL_TREE, DECL_ATTRIBUTES(decl));
  return decl;
}

static tree func_site_init(const ap_func_info &info) {
  vec<constructor_elt, va_gc> *v = NULL;
  tree *f = func_site_fields;
  CONSTRUCTOR_APPEND_ELT(v, f[0], u32(info.flags));
  CONSTRUCTOR_APPEND_ELT(v, f[1], u32(info.line));
  CONSTRUCTOR_APPEND_ELT(v, f[2], u32(0));
  CONSTRUCTOR_APPEND_ELT(v, f[3], u32(info.size));
  CONSTRUCTOR_APPEND_ELT(v, f[4], str_ptr(info.name));
  CONSTRUCTOR_APPEND_ELT(v, f[5], str_ptr(info.file));
  CONSTRUCTOR_APPEND_ELT(v, f[6], str_ptr(info.symbol));
  CONSTRUCTOR_APPEND_ELT(v, f[7], u64(info.arg_kinds));
  return build_constructor(func_site_type, v);
}

/* One site record per function body, shared by the loop pass (whose loop
 * records point to it, and which runs first) and the entry/exit pass (which
 * alone knows the final size and flags, and finalizes the record). */
static hash_map<tree, tree> *func_sites;

/* A reference (the loop records') makes a varpool node, not a definition. */
static void finalize_once(tree var) {
  varpool_node *node = varpool_node::get(var);
  if (!node || !node->definition)
    varpool_node::finalize_decl(var);
}

tree ap_func_site(tree fndecl, const ap_func_info &info, bool final) {
  build_types();
  if (!func_sites)
    func_sites = new hash_map<tree, tree>;
  tree *known = func_sites->get(fndecl);
  tree site = known ? *known : NULL_TREE;
  if (!site) {
    site = static_var("__autoprof_site", func_site_type, func_site_init(info), AP_SECTION_FUNCS,
                      final);
    func_sites->put(fndecl, site);
  } else if (final) {
    tree init = func_site_init(info);
    TREE_CONSTANT(init) = 1;
    TREE_STATIC(init) = 1;
    DECL_INITIAL(site) = init;
  }
  if (final)
    finalize_once(site);
  return site;
}

/* The entry/exit pass skipped FNDECL: a record the loop pass made for it
 * is written out as it is. */
void ap_func_site_done(tree fndecl) {
  tree *site = func_sites ? func_sites->get(fndecl) : NULL;
  if (site)
    finalize_once(*site);
}

tree ap_loop_site(const ap_loop_info &info) {
  build_types();
  vec<constructor_elt, va_gc> *v = NULL;
  tree *f = loop_site_fields;
  CONSTRUCTOR_APPEND_ELT(v, f[0], u32(info.flags));
  CONSTRUCTOR_APPEND_ELT(v, f[1], u32(info.line));
  CONSTRUCTOR_APPEND_ELT(v, f[2], u32(0));
  CONSTRUCTOR_APPEND_ELT(v, f[3], u32(info.depth));
  CONSTRUCTOR_APPEND_ELT(v, f[4], str_ptr(info.file));
  CONSTRUCTOR_APPEND_ELT(v, f[5], info.func ? addr_of(info.func) : str_ptr(NULL));
  CONSTRUCTOR_APPEND_ELT(v, f[6], str_ptr(info.origin_function));
  CONSTRUCTOR_APPEND_ELT(v, f[7], info.parent ? addr_of(info.parent) : str_ptr(NULL));
  return static_var("__autoprof_loop_site", loop_site_type, build_constructor(loop_site_type, v),
                    AP_SECTION_LOOPS);
}

/* extern __thread struct ap_loop_tls __autoprof_loop_tls (initial-exec),
 * which loop exits update inline; FIELDS gets its four fields. */
static tree tls_decl, tls_type, tls_fields[AP_TLS_NFIELDS];

tree ap_loop_tls_decl(tree *fields) {
  tree &decl = tls_decl, &type = tls_type, *f = tls_fields;
  if (!decl) {
    const field_spec spec[] = {
        {"counters", ptr_type_node},
        {"lim", u32_type()},
        {"pad", u32_type()},
        {"inline_records", u64_type()},
        {"leaf_slot", u32_type()},
        {"leaf_left", short_unsigned_type_node},
        {"leaf_start", short_unsigned_type_node},
    };
    type = build_record("ap_loop_tls", spec, AP_TLS_NFIELDS, f);
    gcc_assert(tree_to_uhwi(TYPE_SIZE_UNIT(type)) == sizeof(struct ap_loop_tls));
    decl = build_decl(UNKNOWN_LOCATION, VAR_DECL, get_identifier("__autoprof_loop_tls"), type);
    TREE_PUBLIC(decl) = 1;
    DECL_EXTERNAL(decl) = 1;
    TREE_STATIC(decl) = 0;
    DECL_ARTIFICIAL(decl) = 1;
    TREE_USED(decl) = 1;
    /* one %fs-relative access through the GOT, in executables and shared
     * objects alike (the runtime is loaded at startup) */
    set_decl_tls_model(decl, TLS_MODEL_INITIAL_EXEC);
  }
  for (int i = 0; i < AP_TLS_NFIELDS; i++)
    fields[i] = f[i];
  return decl;
}

tree ap_call_site_record(const ap_call_info &info) {
  build_types();
  vec<constructor_elt, va_gc> *v = NULL;
  tree *f = call_site_fields;
  CONSTRUCTOR_APPEND_ELT(v, f[0], u32(info.flags));
  CONSTRUCTOR_APPEND_ELT(v, f[1], u32(info.line));
  CONSTRUCTOR_APPEND_ELT(v, f[2], u32(0));
  CONSTRUCTOR_APPEND_ELT(v, f[3], u32(info.loop_line));
  CONSTRUCTOR_APPEND_ELT(v, f[4], str_ptr(info.callee));
  CONSTRUCTOR_APPEND_ELT(v, f[5], str_ptr(info.file));
  CONSTRUCTOR_APPEND_ELT(v, f[6], str_ptr(info.function));
  CONSTRUCTOR_APPEND_ELT(v, f[7], u64(info.arg_kinds));
  /* not in a section: the runtime registers a call site at its first probe */
  return static_var("__autoprof_call", call_site_type, build_constructor(call_site_type, v), NULL);
}

/* A file-local constant array of N pointers (ADDRS are &site expressions). */
tree ap_pointer_table(const tree *addrs, unsigned n) {
  tree type = build_array_type_nelts(ptr_type_node, n);
  vec<constructor_elt, va_gc> *v = NULL;
  for (unsigned i = 0; i < n; i++)
    CONSTRUCTOR_APPEND_ELT(v, build_int_cst(integer_type_node, i),
                           fold_convert(ptr_type_node, addrs[i]));
  return static_var("__autoprof_nest_sites", type, build_constructor(type, v), NULL);
}

static unsigned ppm(double share) {
  return (unsigned)(share * 1e6 + 0.5);
}

/* The per-unit module record and the constructor that registers it.  Called
 * once per translation unit, before the late passes run, so the new
 * constructor goes through the normal pipeline (our own passes skip it:
 * it is artificial). */
void ap_emit_module_ctor(void) {
  build_types();
  const struct ap_policy *p = ap_config.policy;
  vec<constructor_elt, va_gc> *v = NULL;
  tree *f = module_fields;
  CONSTRUCTOR_APPEND_ELT(v, f[0], u32(AP_ABI_VERSION));
  CONSTRUCTOR_APPEND_ELT(v, f[1], u32(p->report.formats));
  CONSTRUCTOR_APPEND_ELT(v, f[2], addr_of(extern_var("__start_" AP_SECTION_FUNCS, true)));
  CONSTRUCTOR_APPEND_ELT(v, f[3], addr_of(extern_var("__stop_" AP_SECTION_FUNCS, true)));
  CONSTRUCTOR_APPEND_ELT(v, f[4], addr_of(extern_var("__start_" AP_SECTION_LOOPS, true)));
  CONSTRUCTOR_APPEND_ELT(v, f[5], addr_of(extern_var("__stop_" AP_SECTION_LOOPS, true)));
  CONSTRUCTOR_APPEND_ELT(v, f[6], addr_of(extern_var("__autoprof_abi_v2", false)));
  CONSTRUCTOR_APPEND_ELT(v, f[7], str_ptr(main_input_filename));
  CONSTRUCTOR_APPEND_ELT(v, f[8], str_ptr(ap_config.compiler));
  CONSTRUCTOR_APPEND_ELT(v, f[9], str_ptr(ap_config.policy_file));
  CONSTRUCTOR_APPEND_ELT(v, f[10], u64(p->digest));
  CONSTRUCTOR_APPEND_ELT(v, f[11], str_ptr(p->report.output));
  CONSTRUCTOR_APPEND_ELT(v, f[12], u32(p->report.top));
  CONSTRUCTOR_APPEND_ELT(v, f[13], u32(ppm(p->hints.hot_function_share)));
  CONSTRUCTOR_APPEND_ELT(v, f[14], u32(ppm(p->hints.hot_loop_share)));
  CONSTRUCTOR_APPEND_ELT(v, f[15], u32(ppm(p->hints.memo_min_repeat_rate)));
  CONSTRUCTOR_APPEND_ELT(v, f[16], fold_convert(ptr_type_node, null_pointer_node));
  tree module =
      static_var("__autoprof_module", module_type, build_constructor(module_type, v), NULL);

  tree fntype = build_function_type_list(void_type_node, ptr_type_node, NULL_TREE);
  tree reg = ap_probe_decl("__autoprof_register", fntype);
  tree body = build_call_expr(reg, 1, addr_of(module));
  /* Priority 101, the first one open to programs: register before user
   * constructors run; a probe that still runs before it registers its site
   * on the fly. */
  cgraph_build_static_cdtor('I', body, 101);
}

void ap_gc_mark_sites(void) {
  for (tree t : {func_site_type, module_type, loop_site_type, call_site_type, tls_decl, tls_type})
    ap_gc_mark(t);
  for (tree t : func_site_fields)
    ap_gc_mark(t);
  for (tree t : module_fields)
    ap_gc_mark(t);
  for (tree t : loop_site_fields)
    ap_gc_mark(t);
  for (tree t : call_site_fields)
    ap_gc_mark(t);
  for (tree t : tls_fields)
    ap_gc_mark(t);
  if (func_sites)
    for (hash_map<tree, tree>::iterator it = func_sites->begin(); it != func_sites->end(); ++it) {
      ap_gc_mark((*it).first);
      ap_gc_mark((*it).second);
    }
}
