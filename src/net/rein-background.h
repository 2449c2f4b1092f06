/* rein-background.h: worker threads that give way to the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The nice value of a thread that called rein_background_thread(). */
#define REIN_BACKGROUND_NICE 10

/* Lowers the calling thread's scheduling priority to
 * REIN_BACKGROUND_NICE, once per thread: a refresh's workers then give way
 * to the main thread and the display server when they keep every core
 * busy, so that the window goes on drawing. Linux sets a nice value per
 * thread; elsewhere this does nothing. A thread of GLib's pool stays
 * lowered, which suits it: it only ever runs background work. A thread
 * cannot raise its priority again without privileges, so this is never
 * undone. */
void rein_background_thread (void);

G_END_DECLS
