/* Classic-BPF interpreter for seccomp programs; see bpf_eval.h. Only the
 * opcodes seccomp_check_filter() lets through are implemented; every other
 * opcode, an unaligned or out-of-range load, a jump past the end, a shift of
 * 32 or more and a division by zero all return SECCOMP_RET_KILL_PROCESS. */
#include "bpf_eval.h"

#include <string.h>

#define BPF_EVAL_FAIL SECCOMP_RET_KILL_PROCESS

struct bpf_eval_vm {
	uint32_t a, x, mem[BPF_MEMWORDS];
};

/* The 32-bit word at byte offset k of seccomp_data, native byte order, as
 * the kernel's BPF_LD|BPF_W|BPF_ABS reads it. */
static int bpf_eval_load(const struct seccomp_data *sd, uint32_t k, uint32_t *v)
{
	if (k % 4 != 0 || k > sizeof(*sd) - 4)
		return -1;
	memcpy(v, (const uint8_t *)sd + k, 4);
	return 0;
}

static int bpf_eval_alu(struct bpf_eval_vm *vm, uint16_t code, uint32_t k)
{
	uint32_t src = BPF_SRC(code) == BPF_X ? vm->x : k;

	switch (BPF_OP(code)) {
	case BPF_ADD: vm->a += src; return 0;
	case BPF_SUB: vm->a -= src; return 0;
	case BPF_MUL: vm->a *= src; return 0;
	case BPF_AND: vm->a &= src; return 0;
	case BPF_OR: vm->a |= src; return 0;
	case BPF_XOR: vm->a ^= src; return 0;
	case BPF_NEG: vm->a = 0u - vm->a; return 0;
	case BPF_DIV:
		if (!src)
			return -1;
		vm->a /= src;
		return 0;
	case BPF_LSH:
	case BPF_RSH:
		if (src >= 32)
			return -1;
		vm->a = BPF_OP(code) == BPF_LSH ? vm->a << src : vm->a >> src;
		return 0;
	}
	return -1;
}

/* Next pc after a jump at pc, or n (out of range) when it would leave the
 * program; computed in 64 bits so a huge k cannot wrap. */
static size_t bpf_eval_jump(const struct bpf_eval_vm *vm, const struct sock_filter *f, size_t pc,
			    size_t n)
{
	uint32_t src = BPF_SRC(f->code) == BPF_X ? vm->x : f->k;
	uint64_t next;
	int taken;

	if (f->code > 0xff || (BPF_OP(f->code) == BPF_JA && BPF_SRC(f->code) != BPF_K))
		return n;
	switch (BPF_OP(f->code)) {
	case BPF_JA:
		next = (uint64_t)pc + 1 + f->k;
		return next < n ? (size_t)next : n;
	case BPF_JEQ: taken = vm->a == src; break;
	case BPF_JGT: taken = vm->a > src; break;
	case BPF_JGE: taken = vm->a >= src; break;
	case BPF_JSET: taken = (vm->a & src) != 0; break;
	default: return n;
	}
	next = (uint64_t)pc + 1 + (taken ? f->jt : f->jf);
	return next < n ? (size_t)next : n;
}

/* One non-jump, non-return instruction; -1 if seccomp would not accept it. */
static int bpf_eval_step(struct bpf_eval_vm *vm, const struct sock_filter *f,
			 const struct seccomp_data *sd)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS: return bpf_eval_load(sd, f->k, &vm->a);
	case BPF_LD | BPF_W | BPF_LEN: vm->a = sizeof(*sd); return 0;
	case BPF_LDX | BPF_W | BPF_LEN: vm->x = sizeof(*sd); return 0;
	case BPF_LD | BPF_IMM: vm->a = f->k; return 0;
	case BPF_LDX | BPF_IMM: vm->x = f->k; return 0;
	case BPF_MISC | BPF_TAX: vm->x = vm->a; return 0;
	case BPF_MISC | BPF_TXA: vm->a = vm->x; return 0;
	}
	switch (f->code) {
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		if (f->k >= BPF_MEMWORDS)
			return -1;
		if (f->code == (BPF_LD | BPF_MEM))
			vm->a = vm->mem[f->k];
		else if (f->code == (BPF_LDX | BPF_MEM))
			vm->x = vm->mem[f->k];
		else
			vm->mem[f->k] = f->code == BPF_ST ? vm->a : vm->x;
		return 0;
	}
	if (BPF_CLASS(f->code) == BPF_ALU &&
	    (BPF_OP(f->code) == BPF_NEG ? f->code == (BPF_ALU | BPF_NEG)
					: (f->code & ~(BPF_OP(f->code) | BPF_SRC(f->code))) == BPF_ALU))
		return bpf_eval_alu(vm, f->code, f->k);
	return -1;
}

uint32_t bpf_eval(const struct sock_filter *insns, size_t n, const struct seccomp_data *sd)
{
	struct bpf_eval_vm vm;
	size_t pc = 0;

	if (!insns || n == 0 || n > BPF_MAXINSNS)
		return BPF_EVAL_FAIL;
	memset(&vm, 0, sizeof(vm));
	/* Every jump moves forward, so this loop runs at most n times. */
	while (pc < n) {
		const struct sock_filter *f = &insns[pc];

		if (f->code == (BPF_RET | BPF_K))
			return f->k;
		if (f->code == (BPF_RET | BPF_A))
			return vm.a;
		if (BPF_CLASS(f->code) == BPF_JMP) {
			pc = bpf_eval_jump(&vm, f, pc, n);
			continue;
		}
		if (bpf_eval_step(&vm, f, sd) < 0)
			return BPF_EVAL_FAIL;
		pc++;
	}
	return BPF_EVAL_FAIL;
}
