package par

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

func TestIdleEachTaskOnce(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		setProcs(t, procs)
		for _, tasks := range []int{-1, 0, 1, 2, 7, 64} {
			t.Run(fmt.Sprintf("procs=%d/tasks=%d", procs, tasks), func(t *testing.T) {
				for range 20 {
					ran := make([]int, max(tasks, 0))
					Run(procs, func(int) {}) // workers polling
					l := Idle(tasks, func(i int) { ran[i]++ })
					Run(3, func(int) {}) // a section meanwhile
					l.Wait()
					for i, n := range ran {
						if n != 1 {
							t.Fatalf("task %d ran %d times", i, n)
						}
					}
				}
			})
		}
	}
}

// TestIdleRunsOnWorkers: with workers polling and the caller not using
// them, the tasks run on the workers before Wait is called.
func TestIdleRunsOnWorkers(t *testing.T) {
	setProcs(t, 2)
	defer SetSpin(SetSpin(time.Minute)) // the worker must not park meanwhile
	Run(2, func(int) {})
	caller := goid()
	var done, onCaller atomic.Int64
	l := Idle(16, func(int) {
		if goid() == caller {
			onCaller.Add(1)
		}
		done.Add(1)
	})
	deadline := time.Now().Add(10 * time.Second)
	for done.Load() < 16 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if done.Load() < 16 {
		t.Errorf("workers ran %d of 16 tasks in 10 s", done.Load())
	}
	l.Wait()
	if onCaller.Load() != 0 {
		t.Errorf("%d tasks ran on the caller", onCaller.Load())
	}
	SetSpin(0)
	Run(2, func(int) {}) // let the worker see the new spin and park
}

// TestIdleManyOnOffer: Laters beyond the slots are not offered; their
// Wait runs them; waited Laters leave their slots.
func TestIdleManyOnOffer(t *testing.T) {
	setProcs(t, 2)
	ran := make([]atomic.Int64, laterSlots+2)
	var ls []*Later
	for i := range ran {
		ls = append(ls, Idle(4, func(int) { ran[i].Add(1) }))
	}
	for i := len(ls) - 1; i >= 0; i-- {
		ls[i].Wait()
	}
	for i := range ran {
		if ran[i].Load() != 4 {
			t.Errorf("Later %d ran %d of 4 tasks", i, ran[i].Load())
		}
	}
	for i := range pool.later {
		if pool.later[i].Load() != nil {
			t.Errorf("slot %d still offers a Later after Wait", i)
		}
	}
}

// TestIdleLeavesSlot: a Later whose tasks the workers have all run leaves
// its slot without Wait.
func TestIdleLeavesSlot(t *testing.T) {
	setProcs(t, 2)
	defer SetSpin(SetSpin(time.Minute))
	Run(2, func(int) {})
	var done atomic.Int64
	Idle(8, func(int) { done.Add(1) })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		free := 0
		for i := range pool.later {
			if pool.later[i].Load() == nil {
				free++
			}
		}
		if free == laterSlots && done.Load() == 8 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if done.Load() != 8 {
		t.Fatalf("workers ran %d of 8 tasks", done.Load())
	}
	for i := range pool.later {
		if pool.later[i].Load() != nil {
			t.Errorf("slot %d still offers a finished Later", i)
		}
	}
	SetSpin(0)
	Run(2, func(int) {})
}

func TestIdlePanic(t *testing.T) {
	setProcs(t, 2)
	defer SetSpin(SetSpin(time.Minute))
	Run(2, func(int) {})
	var started atomic.Bool
	l := Idle(1, func(int) { started.Store(true); panic("boom") })
	for deadline := time.Now().Add(5 * time.Second); !started.Load() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	defer func() {
		if v := recover(); v != "boom" {
			t.Errorf("Wait raised %v, want the task's panic", v)
		}
		SetSpin(0)
		Run(2, func(int) {})
	}()
	l.Wait()
	t.Error("Wait returned after a task panicked")
}
