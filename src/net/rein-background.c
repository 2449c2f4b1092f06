/* rein-background.c: worker threads that give way to the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "rein-background.h"

void
rein_background_thread (void)
{
#ifdef __linux__
  static GPrivate lowered;
  pid_t tid;
  int nice;

  if (g_private_get (&lowered) != NULL)
    return;
  g_private_set (&lowered, GINT_TO_POINTER (1));
  tid = gettid ();
  errno = 0;
  nice = getpriority (PRIO_PROCESS, (id_t) tid);
  if (errno == 0 && nice < REIN_BACKGROUND_NICE
      && setpriority (PRIO_PROCESS, (id_t) tid, REIN_BACKGROUND_NICE) != 0)
    g_debug ("a worker thread keeps its priority: %s", g_strerror (errno));
#endif
}
