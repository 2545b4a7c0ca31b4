// libxdp and libbpf through koffi, loaded on first use so that a machine without them gets a
// clear error naming the Debian package (and so that the kernel-socket path never needs them).

import koffi, { type LibraryHandle } from "koffi";
import { XdpError } from "./errors.js";

function open(soname: string, pkg: string, env: string): LibraryHandle {
  const path = process.env[env] || soname;
  try {
    return koffi.load(path);
  } catch (e) {
    throw new XdpError("ENOLIB",
      `cannot load ${path}: install the Debian package ${pkg} (apt-get install ${pkg}); ${(e as Error).message.split("\n")[0]}`);
  }
}

function bindBpf(lib: LibraryHandle) {
  return {
    bpf_object__load: lib.func("int bpf_object__load(void *obj)"),
    bpf_object__find_program_by_name: lib.func("void *bpf_object__find_program_by_name(void *obj, const char *name)"),
    bpf_object__find_map_fd_by_name: lib.func("int bpf_object__find_map_fd_by_name(void *obj, const char *name)"),
    bpf_program__fd: lib.func("int bpf_program__fd(void *prog)"),
    bpf_map_update_elem: lib.func("int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)"),
    bpf_map_lookup_elem: lib.func("int bpf_map_lookup_elem(int fd, const void *key, void *value)"),
    bpf_map_delete_elem: lib.func("int bpf_map_delete_elem(int fd, const void *key)"),
    bpf_link_create: lib.func("int bpf_link_create(int prog_fd, int target_fd, int type, const void *opts)"),
    bpf_xdp_query_id: lib.func("int bpf_xdp_query_id(int ifindex, int flags, void *prog_id)"),
    // Who holds an interface's XDP hook (bridge/xdp-owner.ts); the ids and pins need CAP_SYS_ADMIN.
    bpf_xdp_query: optional(lib, "int bpf_xdp_query(int ifindex, int flags, void *opts)"),
    bpf_link_get_next_id: lib.func("int bpf_link_get_next_id(uint32_t start_id, void *next_id)"),
    bpf_link_get_fd_by_id: lib.func("int bpf_link_get_fd_by_id(uint32_t id)"),
    bpf_prog_get_fd_by_id: lib.func("int bpf_prog_get_fd_by_id(uint32_t id)"),
    bpf_obj_get_info_by_fd: lib.func("int bpf_obj_get_info_by_fd(int fd, void *info, void *info_len)"),
    bpf_obj_get: lib.func("int bpf_obj_get(const char *path)"),
    bpf_obj_pin: lib.func("int bpf_obj_pin(int fd, const char *path)"),
    // The verifier's log of a refused program into a buffer of ours (libbpf 0.7): passed as an
    // address, since libbpf keeps it until bpf_object__load.
    bpf_program__set_log_buf: optional(lib, "int bpf_program__set_log_buf(void *prog, uintptr_t log_buf, size_t log_size)"),
    libbpf_num_possible_cpus: lib.func("int libbpf_num_possible_cpus(void)"),
    libbpf_version_string: optional(lib, "const char *libbpf_version_string(void)"),
    libbpf_set_print: lib.func("void *libbpf_set_print(void *fn)"),
    bpf_program__set_autoload: lib.func("int bpf_program__set_autoload(void *prog, bool autoload)"),
    // Device-bound loading (NIC timestamps); absent from libbpf before 0.6: null then.
    bpf_program__set_ifindex: optional(lib, "void bpf_program__set_ifindex(void *prog, uint32_t ifindex)"),
    bpf_program__flags: optional(lib, "uint32_t bpf_program__flags(void *prog)"),
    bpf_program__set_flags: optional(lib, "int bpf_program__set_flags(void *prog, uint32_t flags)"),
  };
}

function optional(lib: LibraryHandle, decl: string): ReturnType<LibraryHandle["func"]> | null {
  try {
    return lib.func(decl);
  } catch {
    return null;
  }
}

function bindXdp(lib: LibraryHandle) {
  return {
    xdp_program__open_file: lib.func("void *xdp_program__open_file(const char *file, const char *section, void *opts)"),
    xdp_program__bpf_obj: lib.func("void *xdp_program__bpf_obj(void *prog)"),
    xdp_program__close: lib.func("void xdp_program__close(void *prog)"),
    libxdp_get_error: lib.func("long libxdp_get_error(const void *ptr)"),
    libxdp_set_print: lib.func("void *libxdp_set_print(void *fn)"),
  };
}

let bpf: ReturnType<typeof bindBpf> | undefined;
let xdp: ReturnType<typeof bindXdp> | undefined;

export function libbpf(): ReturnType<typeof bindBpf> {
  if (!bpf) {
    bpf = bindBpf(open("libbpf.so.1", "libbpf1", "XDPFEED_LIBBPF"));
    // Silence the libraries' own stderr logging: failures surface as XdpError instead.
    bpf.libbpf_set_print(null);
  }
  return bpf;
}

export function libxdp(): ReturnType<typeof bindXdp> {
  if (!xdp) {
    xdp = bindXdp(open("libxdp.so.1", "libxdp1", "XDPFEED_LIBXDP"));
    xdp.libxdp_set_print(null);
  }
  return xdp;
}
