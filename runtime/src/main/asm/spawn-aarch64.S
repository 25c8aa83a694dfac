/*
 * isthmus spawn stub, aarch64 Linux: the same contract, program format and entry points as
 * spawn-x86_64.S (read that file's comment first); only the machine and the system call numbers
 * (asm-generic/unistd.h) differ.
 *
 *   long isthmus_spawn(const struct program *p);     (AAPCS64, p in x0)
 *
 * Parent: blocks every signal, clone3(p->clone_args, p->clone_args_size), restores the mask and
 * returns clone3's result. The kernel starts the clone3 child on the stack the clone_args name
 * (sp = stack + stack_size) with every register but x0 as the parent had it, so x19 (p) survives.
 *
 * Child: resets the 64 signal dispositions, copies the 16 initial slots, runs the step table from
 * the header's first step, and ends in execve, exit_group(0) off the end of the table, or on a
 * failed step write(errfd, {step, errno}, 16) (plus the message table's two entries on stderr
 * when there is one) and exit_group(127). Same child frame as on x86_64 (sp after the prologue):
 * 0..47 arguments, 48..63 error report, 64..191 slots, 192..223 a zeroed struct sigaction
 * (SIG_DFL in the kernel's layout whatever it is), 224..255 unused.
 *
 * Registers in the child: x19 header, x20 current step, x21 step index, x22 number of steps,
 * x23 the step's flags, x24 message table; x9..x12 scratch. The child never returns, so it
 * saves none of them.
 *
 * The two signal handlers read their cells at +0x10000 from the start of this code, not +4096 as
 * on x86_64: aarch64 kernels run with 4, 16 or 64 KiB pages, and the cells must lie in a page
 * that is not the code's (sys.Stub maps the code R+X up to +0x10000 and the cells' page R+W).
 *
 * Offsets (checked by StubBytesTest): isthmus_image_entry 0, isthmus_spawn 16, the program header
 * (isthmus_image_header) 16-byte aligned at the very end.
 */
        .text
        .globl  isthmus_image_entry
        .type   isthmus_image_entry, %function
isthmus_image_entry:
.Lstart:                                /* local: a global symbol would leave a relocation */
        adr     x19, isthmus_image_header
        mov     x9, sp                  /* the kernel gives a 16-byte aligned sp; keep it so */
        and     sp, x9, #-16
        b       .Lchild
        .size   isthmus_image_entry, .-isthmus_image_entry

        .balign 16
        .globl  isthmus_spawn
        .type   isthmus_spawn, %function
isthmus_spawn:
        stp     x29, x30, [sp, #-48]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]     /* 32: the new mask, 40: the old one */
        mov     x19, x0
        mov     x9, #-1                 /* every signal */
        str     x9, [sp, #32]
        mov     x0, #2                  /* rt_sigprocmask(SIG_SETMASK, &all, &old, 8) */
        add     x1, sp, #32
        add     x2, sp, #40
        mov     x3, #8
        mov     x8, #135
        svc     #0
        ldr     x0, [x19, #8]           /* clone3(args, size) */
        ldr     x1, [x19, #16]
        mov     x8, #435
        svc     #0
        cbz     x0, .Lchild
        mov     x20, x0
        mov     x0, #2                  /* rt_sigprocmask(SIG_SETMASK, &old, NULL, 8) */
        add     x1, sp, #40
        mov     x2, #0
        mov     x3, #8
        mov     x8, #135
        svc     #0
        mov     x0, x20
        ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #48
        ret

.Lchild:
        sub     sp, sp, #256
        mov     x9, sp                  /* zero the frame */
        mov     x10, #16
1:      stp     xzr, xzr, [x9], #16
        subs    x10, x10, #1
        b.ne    1b
        add     x9, x19, #64            /* initial slots */
        add     x10, sp, #64
        mov     x11, #16
2:      ldr     x12, [x9], #8
        str     x12, [x10], #8
        subs    x11, x11, #1
        b.ne    2b
        mov     x20, #1
3:      mov     x0, x20                 /* rt_sigaction(sig, &dfl, NULL, 8); errors ignored */
        add     x1, sp, #192
        mov     x2, #0
        mov     x3, #8
        mov     x8, #134
        svc     #0
        add     x20, x20, #1
        cmp     x20, #65
        b.lo    3b

        ldr     x21, [x19, #48]         /* x21: step index, from the first step to run */
        ldr     x22, [x19, #24]         /* x22: number of steps */
        ldr     x9, [x19, #32]
        add     x20, x9, x21, lsl #6    /* x20: current step */
.Lloop:
        cmp     x21, x22
        b.hs    .Lend
        ldp     x9, x10, [x20, #8]
        stp     x9, x10, [sp, #0]
        ldp     x9, x10, [x20, #24]
        stp     x9, x10, [sp, #16]
        ldp     x9, x10, [x20, #40]
        stp     x9, x10, [sp, #32]
        ldrb    w23, [x20, #56]
        add     x11, sp, #64            /* x11: the slots */
        tbz     w23, #2, 1f             /* IN1 */
        ldrb    w9, [x20, #58]
        ldrb    w10, [x20, #59]
        ldr     x12, [x11, x10, lsl #3]
        str     x12, [sp, x9, lsl #3]
1:      tbz     w23, #4, 2f             /* IN1_ADDR */
        ldrb    w9, [x20, #58]
        ldrb    w10, [x20, #59]
        add     x12, x11, x10, lsl #3
        str     x12, [sp, x9, lsl #3]
2:      tbz     w23, #3, 3f             /* IN2 */
        ldrb    w9, [x20, #60]
        ldrb    w10, [x20, #61]
        ldr     x12, [x11, x10, lsl #3]
        str     x12, [sp, x9, lsl #3]
3:      ldp     x0, x1, [sp, #0]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldr     x8, [x20]
        svc     #0
        tbz     w23, #1, 4f             /* STORE */
        ldrb    w9, [x20, #57]
        add     x11, sp, #64
        str     x0, [x11, x9, lsl #3]
4:      tbz     w23, #0, 6f             /* CHECK */
        cmn     x0, #4095               /* carry set: x0 >= -4095 unsigned, an error */
        b.lo    5f
        neg     x0, x0
        ldrh    w9, [x20, #62]
        cmp     x0, x9
        b.eq    6f
        b       .Lfail
5:      tbz     w23, #5, 6f             /* NONZERO */
        cbnz    x0, 6f
        b       .Lfail                  /* x0 is 0: errno 0 */
6:      add     x20, x20, #64
        add     x21, x21, #1
        b       .Lloop

.Lend:  mov     x0, #0                  /* exit_group(0) */
        mov     x8, #94
        svc     #0
.Lfail: stp     x21, x0, [sp, #48]
        ldr     x0, [x19, #40]          /* write(errfd, report, 16) */
        add     x1, sp, #48
        mov     x2, #16
        mov     x8, #64
        svc     #0
        ldr     x24, [x19, #56]         /* message table */
        cbz     x24, .Lexit127
        add     x9, x24, x21, lsl #4    /* write(2, what the step did) */
        ldp     x1, x2, [x9]
        mov     x0, #2
        mov     x8, #64
        svc     #0
        ldr     x9, [sp, #56]           /* write(2, the errno's name) */
        cmp     x9, #133
        b.ls    7f
        mov     x9, #0
7:      add     x9, x9, x22
        add     x9, x24, x9, lsl #4
        ldp     x1, x2, [x9]
        mov     x0, #2
        mov     x8, #64
        svc     #0
.Lexit127:
        mov     x0, #127                /* exit_group(127) */
        mov     x8, #94
        svc     #0
        brk     #0
        .size   isthmus_spawn, .-isthmus_spawn

/*
 * void isthmus_forward_signal(int sig): sends sig to the pidfd stored (as an int, -1 for none) at
 * +0x10000 from the start of this code. Async-signal-safe, no libc, no Java; it clobbers only
 * registers a signal handler may clobber (the kernel restores the interrupted context).
 */
        .balign 16
        .globl  isthmus_forward_signal
        .type   isthmus_forward_signal, %function
isthmus_forward_signal:
        mov     w1, w0                  /* the signal */
        adr     x9, .Lstart
        add     x9, x9, #0x10000
        ldrsw   x0, [x9]                /* the pidfd cell */
        tbnz    x0, #63, 1f
        mov     x2, #0                  /* pidfd_send_signal(pidfd, sig, NULL, 0) */
        mov     x3, #0
        mov     x8, #424
        svc     #0
1:      ret
        .size   isthmus_forward_signal, .-isthmus_forward_signal

/*
 * void isthmus_signal_to_pipe(int sig): writes the signal number as one byte to the fd stored
 * (as an int, -1 for none) 4 bytes after the forwarder's cell.
 */
        .balign 16
        .globl  isthmus_signal_to_pipe
        .type   isthmus_signal_to_pipe, %function
isthmus_signal_to_pipe:
        sub     sp, sp, #16
        strb    w0, [sp]                /* the signal, as the byte to write */
        adr     x9, .Lstart
        add     x9, x9, #0x10000
        ldrsw   x0, [x9, #4]            /* the pipe cell */
        tbnz    x0, #63, 1f
        mov     x1, sp                  /* write(fd, &sig, 1) */
        mov     x2, #1
        mov     x8, #64
        svc     #0
1:      add     sp, sp, #16
        ret
        .size   isthmus_signal_to_pipe, .-isthmus_signal_to_pipe

        .balign 16
isthmus_image_header:
        .section .note.GNU-stack,"",%progbits
