/*
 * worker.c: one thread for work that must not run on the loop; see
 * worker.h.  A job is queued under a mutex, the thread runs it and makes
 * its event active, and the loop runs the job's done callback from that
 * event (libevent's evthread support makes event_active safe from another
 * thread; main.c enables it).
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"
#include "worker.h"
#include "xmalloc.h"

struct worker_job {
	worker_cb		 work;
	worker_cb		 done;
	void			*arg;
	struct event		*ev;
	TAILQ_ENTRY(worker_job)	 entry;
};
TAILQ_HEAD(worker_jobs, worker_job);

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct worker_jobs	 queue;		/* waiting for the thread */
	struct worker_jobs	 finished;	/* done not yet run */
	pthread_t		 thread;
	int			 started;
	int			 stopping;
} worker = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(worker.queue),
	.finished = TAILQ_HEAD_INITIALIZER(worker.finished)
};

static void *
worker_main(void *arg)
{
	struct worker_job	*job;

	pthread_mutex_lock(&worker.lock);
	for (;;) {
		while (!worker.stopping && TAILQ_EMPTY(&worker.queue))
			pthread_cond_wait(&worker.cond, &worker.lock);
		if (worker.stopping)
			break;
		job = TAILQ_FIRST(&worker.queue);
		TAILQ_REMOVE(&worker.queue, job, entry);
		pthread_mutex_unlock(&worker.lock);
		job->work(job->arg);
		pthread_mutex_lock(&worker.lock);
		TAILQ_INSERT_TAIL(&worker.finished, job, entry);
		event_active(job->ev, EV_TIMEOUT, 1);
	}
	pthread_mutex_unlock(&worker.lock);
	return (NULL);
}

static void
worker_done_cb(evutil_socket_t fd, short events, void *arg)
{
	struct worker_job	*job = arg;

	pthread_mutex_lock(&worker.lock);
	TAILQ_REMOVE(&worker.finished, job, entry);
	pthread_mutex_unlock(&worker.lock);
	event_free(job->ev);
	job->done(job->arg);
	free(job);
}

void
worker_run(struct event_base *base, worker_cb work, worker_cb done,
    void *arg)
{
	struct worker_job	*job;
	int			 error;

	job = xcalloc(1, sizeof *job);
	job->work = work;
	job->done = done;
	job->arg = arg;
	job->ev = event_new(base, -1, 0, worker_done_cb, job);
	pthread_mutex_lock(&worker.lock);
	if (!worker.started) {
		error = pthread_create(&worker.thread, NULL, worker_main,
		    NULL);
		if (error != 0)
			fatalx("%s: pthread_create: %s", __func__,
			    strerror(error));
		worker.started = 1;
	}
	TAILQ_INSERT_TAIL(&worker.queue, job, entry);
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
}

void
worker_shutdown(void)
{
	struct worker_job	*job;

	pthread_mutex_lock(&worker.lock);
	worker.stopping = 1;
	pthread_cond_signal(&worker.cond);
	pthread_mutex_unlock(&worker.lock);
	if (worker.started)
		pthread_join(worker.thread, NULL);
	worker.started = 0;
	/* Nothing runs any more: finish what is left here. */
	TAILQ_CONCAT(&worker.finished, &worker.queue, entry);
	while ((job = TAILQ_FIRST(&worker.finished)) != NULL) {
		TAILQ_REMOVE(&worker.finished, job, entry);
		event_free(job->ev);
		job->done(job->arg);
		free(job);
	}
	worker.stopping = 0;
}
