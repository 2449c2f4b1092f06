/* rein-background.h: worker threads that give way to the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The nice value of a thread that called rein_background_thread(). */
#define REIN_BACKGROUND_NICE 10

/* Lowers the calling thread's scheduling priority to
 * REIN_BACKGROUND_NICE, once per thread: a refresh's workers then give way
 * to the main thread and the display server when they keep every core
 * busy, so that the window goes on drawing. Linux sets a nice value per
 * thread; elsewhere this does nothing. A thread cannot raise its priority
 * again without privileges, so this is never undone: only for threads
 * that run nothing but background work (never one of GLib's pool). */
void rein_background_thread (void);

/* Runs @func with @task (as g_task_run_in_thread() would) in a thread of
 * a pool of its own, whose threads are lowered (rein_background_thread()),
 * taking a reference to @task until @func returns. For the heavy work of
 * a refresh: lowering a thread of GLib's pool would lower whatever it
 * runs next, a search as you type among others. @func must not wait for
 * other work of this pool. */
void rein_background_run (GTask *task, GTaskThreadFunc func);

/* Frees @data with @free_func in a worker of rein_background_run(): a
 * hundred thousand objects take the main loop tens of milliseconds to
 * let go, longer than a frame. @data must be the caller's to give: no
 * other thread may still use it through the caller's reference. */
void rein_background_free (gpointer data, GDestroyNotify free_func);

/* For a process that reads markets (the app, rein-cli), whose refresh
 * workers allocate hundreds of MB in small pieces and pages of answers of
 * a few MB:
 * - the main heap grows 16 MiB at a time instead of 128 KiB, and a new
 *   thread heap starts with 16 MiB (past that, glibc grows a thread heap
 *   by what each allocation needs, whatever the setting);
 * - setting that turns off glibc's tuning of when a block gets an mmap()
 *   of its own, so every block of 128 KiB or more was mapped, faulted in
 *   page by page and unmapped again (a tenth of a first refresh's
 *   samples): blocks up to 32 MiB come from the heaps, and a heap gives
 *   memory back once 32 MiB are free at its top, down to the 16 MiB pad
 *   (rein_market_reader_drop_jobs()'s malloc_trim() gives back the free
 *   memory inside the heaps, not that at a thread heap's top).
 * glibc only; call it first thing in main(). */
void rein_background_tune_allocator (void);

G_END_DECLS
