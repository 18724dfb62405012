/* Pure ELF64 reader; see elfinfo.h. Runs in the supervisor on hostile bytes:
 * every read goes through elf_at(), which checks offset + size against the
 * buffer, and every loop is bounded by a count checked the same way. */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "elfinfo.h"

#define ELF_MAX_PHDRS 256
#define ELF_MAX_DYN 4096
#define ELF_MAX_SYMS (1u << 20)

struct elf_view {
	const uint8_t *buf;
	size_t len;
	const Elf64_Phdr *ph;
	unsigned phnum;
};

static const void *elf_at(const struct elf_view *v, uint64_t off, uint64_t size)
{
	if (off > v->len || size > v->len - off)
		return NULL;
	return v->buf + off;
}

/* Maps a virtual address to a file offset through the PT_LOAD segments. */
static bool elf_vaddr(const struct elf_view *v, uint64_t va, uint64_t size, uint64_t *off)
{
	for (unsigned i = 0; i < v->phnum; i++) {
		const Elf64_Phdr *p = &v->ph[i];

		if (p->p_type != PT_LOAD || va < p->p_vaddr || va - p->p_vaddr >= p->p_filesz)
			continue;
		if (size > p->p_filesz - (va - p->p_vaddr))
			return false;
		*off = p->p_offset + (va - p->p_vaddr);
		return elf_at(v, *off, size) != NULL;
	}
	return false;
}

/* A NUL-terminated string at strtab+idx, within strsz and the buffer. */
static const char *elf_str(const struct elf_view *v, uint64_t strtab, uint64_t strsz, uint64_t idx)
{
	const char *s;

	if (idx >= strsz || !elf_at(v, strtab, strsz))
		return NULL;
	s = (const char *)v->buf + strtab + idx;
	return memchr(s, '\0', strsz - idx) ? s : NULL;
}

static int fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return -1;
}

struct elf_dyn {
	uint64_t strtab, strsz, symtab, syment, hash, gnu_hash;
	uint64_t needed[ELF_MAX_NEEDED], runpath, rpath;
	unsigned nneeded;
	bool has_runpath, has_rpath;
};

static int elf_read_dynamic(const struct elf_view *v, const Elf64_Phdr *dp, struct elf_dyn *d, char *err,
			    size_t errlen)
{
	uint64_t n = dp->p_filesz / sizeof(Elf64_Dyn);

	if (!elf_at(v, dp->p_offset, dp->p_filesz))
		return fail(err, errlen, "truncated dynamic section");
	if (n > ELF_MAX_DYN)
		n = ELF_MAX_DYN;
	for (uint64_t i = 0; i < n; i++) {
		Elf64_Dyn e;

		memcpy(&e, v->buf + dp->p_offset + i * sizeof(e), sizeof(e));
		switch (e.d_tag) {
		case DT_NULL: return 0;
		case DT_NEEDED:
			if (d->nneeded == ELF_MAX_NEEDED)
				return fail(err, errlen, "more than 64 DT_NEEDED entries");
			d->needed[d->nneeded++] = e.d_un.d_val;
			break;
		case DT_STRTAB: d->strtab = e.d_un.d_ptr; break;
		case DT_STRSZ: d->strsz = e.d_un.d_val; break;
		case DT_SYMTAB: d->symtab = e.d_un.d_ptr; break;
		case DT_SYMENT: d->syment = e.d_un.d_val; break;
		case DT_HASH: d->hash = e.d_un.d_ptr; break;
		case DT_GNU_HASH: d->gnu_hash = e.d_un.d_ptr; break;
		case DT_RUNPATH: d->runpath = e.d_un.d_val; d->has_runpath = true; break;
		case DT_RPATH: d->rpath = e.d_un.d_val; d->has_rpath = true; break;
		default: break;
		}
	}
	return 0;
}

/* Number of dynamic symbols, from DT_HASH's nchain or by walking the
 * highest DT_GNU_HASH chain; 0 when neither table is readable. */
static uint64_t elf_nsyms(const struct elf_view *v, const struct elf_dyn *d)
{
	uint64_t off;

	if (d->hash && elf_vaddr(v, d->hash, 8, &off)) {
		uint32_t w[2];
		memcpy(w, v->buf + off, sizeof(w)); /* nbucket, nchain */
		return w[1] < ELF_MAX_SYMS ? w[1] : 0;
	}
	if (d->gnu_hash && elf_vaddr(v, d->gnu_hash, 16, &off)) {
		uint32_t hdr[4], maxsym = 0;
		uint64_t buckets, chains;

		memcpy(hdr, v->buf + off, sizeof(hdr)); /* nbuckets, symoffset, bloom words, shift */
		if (hdr[0] == 0 || hdr[0] > ELF_MAX_SYMS || hdr[2] > ELF_MAX_SYMS)
			return 0;
		buckets = d->gnu_hash + 16 + (uint64_t)hdr[2] * 8;
		if (!elf_vaddr(v, buckets, (uint64_t)hdr[0] * 4, &off))
			return 0;
		for (uint32_t i = 0; i < hdr[0]; i++) {
			uint32_t b;
			memcpy(&b, v->buf + off + (uint64_t)i * 4, 4);
			if (b > maxsym)
				maxsym = b;
		}
		if (maxsym < hdr[1])
			return hdr[1];
		chains = buckets + (uint64_t)hdr[0] * 4;
		for (uint32_t i = maxsym; i < ELF_MAX_SYMS; i++) {
			uint32_t h;
			if (!elf_vaddr(v, chains + (uint64_t)(i - hdr[1]) * 4, 4, &off))
				return 0;
			memcpy(&h, v->buf + off, 4);
			if (h & 1)
				return (uint64_t)i + 1;
		}
	}
	return 0;
}

static void elf_symbols(const struct elf_view *v, const struct elf_dyn *d, uint64_t stroff,
			struct elf_info *out)
{
	uint64_t n = elf_nsyms(v, d), off;

	if (!d->symtab || (d->syment && d->syment != sizeof(Elf64_Sym)) ||
	    !elf_vaddr(v, d->symtab, n * sizeof(Elf64_Sym), &off))
		return;
	for (uint64_t i = 0; i < n; i++) {
		Elf64_Sym s;
		const char *name;
		unsigned type;

		memcpy(&s, v->buf + off + i * sizeof(s), sizeof(s));
		type = ELF64_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    ELF64_ST_BIND(s.st_info) == STB_LOCAL)
			continue;
		name = elf_str(v, stroff, d->strsz, s.st_name);
		if (name && !strcmp(name, "caisson_plugin_handle"))
			out->has_handle = true;
		else if (name && !strcmp(name, "caisson_plugin_init"))
			out->has_init = true;
		else if (name && !strcmp(name, "LLVMFuzzerTestOneInput"))
			out->has_fuzz_target = true;
	}
}

static int elf_copy(char *dst, size_t cap, const char *s, char *err, size_t errlen, const char *what)
{
	size_t n;

	if (!s)
		return fail(err, errlen, what);
	n = strlen(s);
	if (n == 0 || n >= cap)
		return fail(err, errlen, what);
	/* Names and paths from the file reach messages and the terminal:
	 * printable ASCII only (no real soname or path needs more). */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return fail(err, errlen, what);
	memcpy(dst, s, n + 1);
	return 0;
}

static int elf_header(struct elf_view *v, struct elf_info *out, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = elf_at(v, 0, sizeof(*eh));

	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return fail(err, errlen, "not a 64-bit little-endian x86-64 ELF object");
	if (eh->e_type != ET_DYN && eh->e_type != ET_EXEC)
		return fail(err, errlen, "not a shared object (ELF type is neither DYN nor EXEC)");
	out->is_dyn = eh->e_type == ET_DYN;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
		return fail(err, errlen, "bad program header table");
	v->ph = elf_at(v, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr));
	if (!v->ph || eh->e_phoff % 8)
		return fail(err, errlen, "truncated program header table");
	v->phnum = eh->e_phnum;
	return 0;
}

int elf_parse(const uint8_t *buf, size_t len, struct elf_info *out, char *err, size_t errlen)
{
	struct elf_view v = { .buf = buf, .len = len };
	const Elf64_Phdr *dp = NULL;
	struct elf_dyn d;
	uint64_t stroff;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if ((uintptr_t)buf % 8)
		return fail(err, errlen, "misaligned buffer");
	if (elf_header(&v, out, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < v.phnum; i++) {
		if (v.ph[i].p_type == PT_DYNAMIC && !dp)
			dp = &v.ph[i];
		if (v.ph[i].p_type == PT_INTERP && !out->interp[0]) {
			const char *s = elf_at(&v, v.ph[i].p_offset, v.ph[i].p_filesz);
			const char *slash;
			if (!s || !v.ph[i].p_filesz || !memchr(s, '\0', v.ph[i].p_filesz))
				return fail(err, errlen, "bad PT_INTERP");
			slash = strrchr(s, '/');
			if (elf_copy(out->interp_path, sizeof(out->interp_path), s, err, errlen, "bad PT_INTERP") < 0)
				return -1;
			if (elf_copy(out->interp, sizeof(out->interp), slash ? slash + 1 : s, err, errlen,
				     "bad PT_INTERP") < 0)
				return -1;
		}
	}
	if (!dp)
		return fail(err, errlen, "no dynamic section (statically linked?)");
	if (elf_read_dynamic(&v, dp, &d, err, errlen) < 0)
		return -1;
	if (!d.strtab || !d.strsz || !elf_vaddr(&v, d.strtab, d.strsz, &stroff))
		return fail(err, errlen, "dynamic string table out of bounds");
	for (unsigned i = 0; i < d.nneeded; i++)
		if (elf_copy(out->needed[i], ELF_NAME_MAX, elf_str(&v, stroff, d.strsz, d.needed[i]), err,
			     errlen, "bad DT_NEEDED name") < 0)
			return -1;
	out->nneeded = d.nneeded;
	if ((d.has_runpath || d.has_rpath) &&
	    elf_copy(out->runpath, sizeof(out->runpath),
		     elf_str(&v, stroff, d.strsz, d.has_runpath ? d.runpath : d.rpath), err, errlen,
		     "bad DT_RUNPATH") < 0)
		return -1;
	out->rpath = !d.has_runpath && d.has_rpath;
	elf_symbols(&v, &d, stroff, out);
	return 0;
}
