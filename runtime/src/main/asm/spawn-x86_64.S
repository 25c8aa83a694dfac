/*
 * isthmus spawn stub, x86_64 Linux.
 *
 *   long isthmus_spawn(const struct program *p);     (System V ABI, p in rdi)
 *
 * Parent: blocks every signal, clone3(p->clone_args, p->clone_args_size), restores the mask and
 * returns clone3's result (child pid, or -errno). No libc, no stack shared with the child: the
 * clone_args carry the child's own stack, and the child never returns into the caller's frames.
 *
 * Child: runs on that stack with every signal blocked; resets all 64 signal dispositions to
 * SIG_DFL (the JVM's handlers must never run here), copies the 16 initial slots from the header,
 * then executes the step table from the first step the header names and normally ends in
 * execve. (One table serves both halves of a launch through an ELF image: the JVM's child runs it
 * up to an execveat of the image, the image from the step after that, and step indexes in error
 * reports stay those of the one table.) A failing step writes
 * (step index, errno) as two little-endian int64 to p->errfd and exit_group(127)s. Falling off the
 * end of the table is exit_group(0). Nothing here writes to the program's memory, so the same
 * table can sit in a read-only image.
 *
 * Header (all fields 8 bytes):            Step (64 bytes):
 *    0 magic "ISTHMUS1"                      0 syscall number
 *    8 clone_args pointer                    8..55 six arguments
 *   16 clone_args size                      56 flags (u8)        57 store slot (u8)
 *   24 number of steps                      58 in1 argument index  59 in1 slot
 *   32 steps pointer                        60 in2 argument index  61 in2 slot
 *   40 error fd                             62 tolerated errno (u16)
 *   48 index of the first step to run
 *   56 message table, or 0: when a step fails with no parent to tell (exec mode), its entry
 *      (pointer, length) is written to stderr, then entry (number of steps + errno) naming the
 *      errno (errno above 133 uses the entry of errno 0)
 *   64 initial slots [16]
 * Flags: 0x01 CHECK (result in [-4095,-1] fails unless it is -tolerated), 0x02 STORE result in
 * a slot, 0x04 IN1 (argument in1 := slot value), 0x08 IN2 (same for in2), 0x10 IN1_ADDR
 * (argument in1 := address of the slot, e.g. a read() buffer), 0x20 NONZERO (with CHECK: a
 * result of 0 fails with errno 0, e.g. EOF on a synchronisation pipe).
 *
 * Child frame (rsp after the prologue): 0..47 arguments, 48..63 error report,
 * 64..191 slots, 192..223 a zeroed struct sigaction (SIG_DFL), 224..255 unused.
 *
 * The same code also runs as a static ELF image (sys.ElfImage): the image's entry point is
 * isthmus_image_entry at offset 0, and the program header follows the code at
 * isthmus_image_header, 16-byte aligned at the very end of this text. It runs the program in the
 * current process, on the stack the kernel gave it. isthmus_spawn is at offset 16.
 */
        .intel_syntax noprefix
        .text
        .globl  isthmus_image_entry
        .type   isthmus_image_entry, @function
isthmus_image_entry:
.Lstart:                                /* local: a global symbol would leave a relocation */
        lea     r12, [rip + isthmus_image_header]
        and     rsp, -16
        jmp     .Lchild
        .size   isthmus_image_entry, .-isthmus_image_entry

        .balign 16
        .globl  isthmus_spawn
        .type   isthmus_spawn, @function
isthmus_spawn:
        push    rbx
        push    rbp
        push    r12
        push    r13
        push    r14
        push    r15
        sub     rsp, 24
        mov     r12, rdi
        mov     qword ptr [rsp+8], -1   /* every signal */
        mov     eax, 14                 /* rt_sigprocmask(SIG_SETMASK, &all, &old, 8) */
        mov     edi, 2
        lea     rsi, [rsp+8]
        mov     rdx, rsp
        mov     r10d, 8
        syscall
        mov     eax, 435                /* clone3(args, size) */
        mov     rdi, [r12+8]
        mov     rsi, [r12+16]
        syscall
        test    rax, rax
        jz      .Lchild
        mov     rbx, rax
        mov     eax, 14                 /* rt_sigprocmask(SIG_SETMASK, &old, NULL, 8) */
        mov     edi, 2
        mov     rsi, rsp
        xor     edx, edx
        mov     r10d, 8
        syscall
        mov     rax, rbx
        add     rsp, 24
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     rbp
        pop     rbx
        ret

.Lchild:
        sub     rsp, 256
        mov     rdi, rsp                /* zero the frame */
        xor     eax, eax
        mov     ecx, 32
        rep stosq
        lea     rsi, [r12+64]           /* initial slots */
        lea     rdi, [rsp+64]
        mov     ecx, 16
        rep movsq
        mov     ebx, 1
.Lsig:  mov     eax, 13                 /* rt_sigaction(sig, &dfl, NULL, 8); errors ignored */
        mov     edi, ebx
        lea     rsi, [rsp+192]
        xor     edx, edx
        mov     r10d, 8
        syscall
        inc     ebx
        cmp     ebx, 65
        jb      .Lsig

        mov     r14, [r12+48]           /* r14: step index, from the first step to run */
        mov     r13, [r12+24]           /* r13: number of steps */
        mov     rbx, r14
        shl     rbx, 6
        add     rbx, [r12+32]           /* rbx: current step */
.Lloop:
        cmp     r14, r13
        jae     .Lend
        mov     rax, [rbx+8]
        mov     [rsp], rax
        mov     rax, [rbx+16]
        mov     [rsp+8], rax
        mov     rax, [rbx+24]
        mov     [rsp+16], rax
        mov     rax, [rbx+32]
        mov     [rsp+24], rax
        mov     rax, [rbx+40]
        mov     [rsp+32], rax
        mov     rax, [rbx+48]
        mov     [rsp+40], rax
        movzx   r15d, byte ptr [rbx+56]
        test    r15b, 0x04
        jz      1f
        movzx   ecx, byte ptr [rbx+58]
        movzx   edx, byte ptr [rbx+59]
        mov     rax, [rsp+64+rdx*8]
        mov     [rsp+rcx*8], rax
1:      test    r15b, 0x10
        jz      2f
        movzx   ecx, byte ptr [rbx+58]
        movzx   edx, byte ptr [rbx+59]
        lea     rax, [rsp+64+rdx*8]
        mov     [rsp+rcx*8], rax
2:      test    r15b, 0x08
        jz      3f
        movzx   ecx, byte ptr [rbx+60]
        movzx   edx, byte ptr [rbx+61]
        mov     rax, [rsp+64+rdx*8]
        mov     [rsp+rcx*8], rax
3:      mov     rdi, [rsp]
        mov     rsi, [rsp+8]
        mov     rdx, [rsp+16]
        mov     r10, [rsp+24]
        mov     r8, [rsp+32]
        mov     r9, [rsp+40]
        mov     rax, [rbx]
        syscall
        test    r15b, 0x02
        jz      4f
        movzx   ecx, byte ptr [rbx+57]
        mov     [rsp+64+rcx*8], rax
4:      test    r15b, 0x01
        jz      6f
        cmp     rax, -4095
        jb      5f                      /* unsigned below: not an error */
        neg     rax
        movzx   ecx, word ptr [rbx+62]
        cmp     rax, rcx
        je      6f
        jmp     .Lfail
5:      test    r15b, 0x20
        jz      6f
        test    rax, rax
        jnz     6f
        jmp     .Lfail                  /* rax is 0: errno 0 */
6:      add     rbx, 64
        inc     r14
        jmp     .Lloop

.Lend:  mov     eax, 231                /* exit_group(0) */
        xor     edi, edi
        syscall
.Lfail: mov     [rsp+48], r14
        mov     [rsp+56], rax
        mov     eax, 1                  /* write(errfd, report, 16) */
        mov     rdi, [r12+40]
        lea     rsi, [rsp+48]
        mov     edx, 16
        syscall
        mov     rbx, [r12+56]           /* message table */
        test    rbx, rbx
        jz      .Lexit127
        mov     rax, r14                /* write(2, what the step did) */
        shl     rax, 4
        mov     rsi, [rbx+rax]
        mov     rdx, [rbx+rax+8]
        mov     edi, 2
        mov     eax, 1
        syscall
        mov     rax, [rsp+56]           /* write(2, the errno's name) */
        cmp     rax, 133
        jbe     7f
        xor     eax, eax
7:      add     rax, r13
        shl     rax, 4
        mov     rsi, [rbx+rax]
        mov     rdx, [rbx+rax+8]
        mov     edi, 2
        mov     eax, 1
        syscall
.Lexit127:
        mov     eax, 231                /* exit_group(127) */
        mov     edi, 127
        syscall
        hlt
        .size   isthmus_spawn, .-isthmus_spawn

/*
 * void isthmus_forward_signal(int sig): a signal handler for the foreground runtime. Sends sig
 * to the pidfd stored (as an int, -1 for none) in the first bytes of the page that follows this
 * code's page; async-signal-safe, no libc, no Java. sys.Stub maps that page read-write.
 */
        .balign 16, 0xf4
        .globl  isthmus_forward_signal
        .type   isthmus_forward_signal, @function
isthmus_forward_signal:
        lea     rax, [rip + .Lstart]
        mov     esi, edi                /* the signal */
        movsxd  rdi, dword ptr [rax+4096] /* the pidfd cell */
        test    rdi, rdi
        js      1f
        xor     edx, edx                /* pidfd_send_signal(pidfd, sig, NULL, 0) */
        xor     r10d, r10d
        mov     eax, 424
        syscall
1:      ret
        .size   isthmus_forward_signal, .-isthmus_forward_signal

/*
 * void isthmus_signal_to_pipe(int sig): a signal handler that writes the signal number as one
 * byte to the fd stored (as an int, -1 for none) 4 bytes into the data page: a self-pipe for a
 * Java thread to read (the batch launcher's Ctrl-C). Async-signal-safe, no libc, no Java.
 */
        .balign 16, 0xf4
        .globl  isthmus_signal_to_pipe
        .type   isthmus_signal_to_pipe, @function
isthmus_signal_to_pipe:
        lea     rax, [rip + .Lstart]
        push    rdi                     /* the signal, as the byte to write */
        movsxd  rdi, dword ptr [rax+4100] /* the pipe cell */
        test    rdi, rdi
        js      1f
        mov     rsi, rsp
        mov     edx, 1                  /* write(fd, &sig, 1) */
        mov     eax, 1
        syscall
1:      pop     rdi
        ret
        .size   isthmus_signal_to_pipe, .-isthmus_signal_to_pipe

        .balign 16, 0xf4
isthmus_image_header:
        .section .note.GNU-stack,"",@progbits
