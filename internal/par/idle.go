package par

import "runtime"

// Later is work offered to the workers for the time they would otherwise
// spend polling between sections (see Idle).
type Later struct{ j *job }

// Idle offers f(0), …, f(tasks-1) to the workers and returns at once. A
// worker polling for the next section runs them one at a time while no
// section is on offer, so on a machine whose cores are all in use during
// sections, the tasks take only time in which a worker would have waited.
// Wait runs whatever is left.
//
// Tasks should be short (tens of microseconds): a worker in a task answers
// a new section only when the task returns. Up to laterSlots Laters are on
// offer at a time, the workers taking the first offered first; beyond
// that, Idle offers nothing and Wait runs all the tasks. Parked workers do
// not wake for a Later.
func Idle(tasks int, f func(task int)) *Later {
	j := &job{f: f, tasks: int64(max(tasks, 0)), done: make(chan struct{})}
	j.left.Store(j.tasks)
	if j.tasks == 0 {
		close(j.done)
		return &Later{j}
	}
	if runtime.GOMAXPROCS(0) > 1 {
		for i := range pool.later {
			if pool.later[i].CompareAndSwap(nil, j) {
				break
			}
		}
	}
	return &Later{j}
}

// laterSlots is how many Laters can be on offer at once: a training step
// offers its next batch and its next noise.
const laterSlots = 4

// Wait returns when every task has run: it withdraws the offer, runs the
// tasks not yet started (in parallel, as Run) and waits for those running.
// A panic in a task is raised again by Wait, as Run would.
func (l *Later) Wait() {
	j := l.j
	for i := range pool.later {
		pool.later[i].CompareAndSwap(j, nil)
	}
	if left := j.tasks - j.next.Load(); left > 0 {
		Run(int(min(left, int64(runtime.GOMAXPROCS(0)))), func(int) { j.work(false) })
	}
	j.wait()
	if fl := j.failure.Load(); fl != nil && !fl.unwinding {
		if fl.goexit {
			runtime.Goexit()
		}
		panic(fl.value)
	}
}

// claimLater runs one task of a Later on offer, if one is left, and
// reports whether it did. A Later whose tasks have all been claimed leaves
// its slot, even if Wait is never called.
func claimLater() bool {
	for k := range pool.later {
		j := pool.later[k].Load()
		if j == nil {
			continue
		}
		if i := j.next.Add(1) - 1; i < j.tasks {
			j.do(int(i), true)
			return true
		}
		pool.later[k].CompareAndSwap(j, nil)
	}
	return false
}
