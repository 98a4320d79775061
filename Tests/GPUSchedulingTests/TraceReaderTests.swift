import GPUScheduling
import Testing

@Suite("Reading traces")
struct TraceReaderTests {
    @Test("the Philly form: rows keep their file order as IDs, times are from the earliest submission")
    func philly() throws {
        let trace = try TraceReader.parse(
            """
            timestamp,duration,num_gpus,gpu_time,cluster
            2017-10-09 07:01:55,66.0,1,66.0,11cb48
            2017-10-09 06:13:03,2951.0,4,11804.0,6214e9
            2017-10-10 00:00:00,10,8,80,11cb48
            """)
        #expect(trace.format == .philly)
        #expect(trace.jobs.map(\.spec.id) == [0, 1, 2])
        #expect(trace.jobs.map(\.submitTime) == [2932, 0, 64_017])
        #expect(trace.jobs.map(\.spec.gpus) == [1, 4, 8])
        #expect(trace.jobs.map(\.spec.team) == ["11cb48", "6214e9", "11cb48"])
        #expect(trace.jobs[1].duration == 2951)
        #expect(trace.jobs[1].spec.expectedDuration == 2951)
        // 2017-10-09 06:13:03 UTC.
        #expect(trace.origin == 1_507_529_583)
    }

    @Test("durations can be hidden from the scheduler, and the checkpoint default applies")
    func defaults() throws {
        let trace = try TraceReader.parse(
            "timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,1,66.0,a\n",
            defaults: TraceDefaults(durationsKnown: false, checkpointInterval: nil))
        #expect(trace.jobs[0].spec.expectedDuration == nil)
        #expect(trace.jobs[0].spec.checkpointInterval == nil)
        #expect(trace.jobs[0].duration == 66)
    }

    @Test(
        "a malformed row is refused with its line and column",
        arguments: [
            ("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,abc,1,1,a\n", "trace:2", "duration"),
            ("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,1,1,1,a\n2017-13-09 07:01:55,1,1,1,a\n", "trace:3", "timestamp"),
            ("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,1,0,1,a\n", "trace:2", "num_gpus"),
            ("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,1,1.5,1,a\n", "trace:2", "num_gpus"),
            ("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,-5,1,1,a\n", "trace:2", "duration"),
            ("timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,5,1,1,\n", "trace:2", "cluster"),
            ("submit_time,duration_s,gpus,team,gpu_fraction\n0,10,1,a,1.5\n", "trace:2", "gpu_fraction"),
            ("submit_time,duration_s,gpus,team,gang\n0,10,6,a,4\n", "trace:2", "gang"),
            ("submit_time,duration_s,gpus,team,colocation\n0,10,6,a,planet\n", "trace:2", "colocation"),
            ("submit_time,duration_s,gpus,team\n0,nan,1,a\n", "trace:2", "duration_s"),
            // QA sweep: an unquoted comma and a doubled column were read silently.
            ("submit_time,duration_s,gpus,team\n0,10,1,a\n0,10,1,a,b\n", "trace:3", "5 fields where the header names 4"),
            ("submit_time,duration_s,gpus,team,duration_s\n0,10,1,a,20\n", "trace:1", "duration_s twice"),
            ("submit_time,duration_s,gpus,team\n0,10,1,a\0b\n", "trace:2", "NUL byte"),
            ("submit_time,duration_s,gpus,team\n1e300,10,1,a\n", "trace:2", "beyond 10^12"),  // the duration was lost
        ])
    func malformedRow(text: String, location: String, column: String) {
        #expect {
            _ = try TraceReader.parse(text)
        } throws: { error in
            guard let error = error as? SchedulingError else { return false }
            return error.code == .invalidTrace && error.location == location && error.description.contains(column) && error.fix != nil
        }
    }

    @Test("an unknown header or an empty trace is refused with what would be accepted")
    func unknownForms() {
        #expect(throws: SchedulingError.self) { try TraceReader.parse("a,b,c\n1,2,3\n") }
        #expect(throws: SchedulingError.self) { try TraceReader.parse("submit_time,duration_s,gpus,team\n") }
        #expect(throws: SchedulingError.self) { try TraceReader.read(path: "/nonexistent/trace.csv") }
    }

    @Test("the generic form reads every optional column")
    func generic() throws {
        let trace = try TraceReader.parse(
            """
            submit_time,duration_s,gpus,team,priority,gpu_fraction,gang,preemptible,checkpoint_s,expected_duration_s,gpu_model,cpu_milli,memory_mib,node_selector,tolerations,colocation,notes
            100,3600,16,vision,5,,2,false,900,4000,A100|H100,32000,65536,pool=train;tier=gold,spot,island,anything
            40,60,1,nlp,,0.25,,,,,,,,,,,
            """)
        #expect(trace.format == .generic)
        let big = trace.jobs[0].spec
        #expect(trace.jobs[0].submitTime == 60)
        #expect(big.priority == 5 && big.workers == 2 && !big.preemptible && big.checkpointInterval == 900)
        #expect(big.expectedDuration == 4000 && big.gpuModels == ["A100", "H100"] && big.cpuMilli == 32000 && big.memoryMiB == 65536)
        #expect(big.nodeSelector == ["pool": "train", "tier": "gold"] && big.tolerations == ["spot"] && big.colocation == .island)
        let small = trace.jobs[1].spec
        #expect(small.gpuMilli == 250 && small.gpus == 1 && small.expectedDuration == 60 && small.preemptible)
    }

    @Test("the Alibaba pod list: fractions, CPU-only pods, and pods still running at the end")
    func alibaba() throws {
        let trace = try TraceReader.parse(
            """
            name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
            p0,12000,16384,1,1000,,LS,Running,0,1000,0
            p1,6000,12288,1,460,,BE,Running,100,,100
            p2,4000,1024,0,0,,BE,Running,200,700,250
            p3,4000,1024,2,1000,V100M16|V100M32,LS,Pending,300,400,
            """)
        #expect(trace.format == .alibaba)
        #expect(trace.jobs[1].spec.gpuMilli == 460)
        // Censored: runs to the trace's last recorded event (1000).
        #expect(trace.jobs[1].duration == 900)
        #expect(trace.jobs[2].spec.gpus == 0 && trace.jobs[2].spec.cpuMilli == 4000 && trace.jobs[2].duration == 450)
        #expect(trace.jobs[3].spec.gpuModels == ["V100M16", "V100M32"] && trace.jobs[3].duration == 100)
        #expect(trace.jobs.map(\.spec.team) == ["LS", "BE", "BE", "LS"])
    }

    @Test("the whole Philly list reads: 82,247 jobs of 1 to 128 GPUs", .enabled(if: gpuTraces != nil))
    func wholePhilly() throws {
        let trace = try TraceReader.read(path: "\(gpuTraces ?? "")/philly-jobs.csv")
        #expect(trace.jobs.count == 82_247)
        #expect(trace.jobs.map(\.spec.gpus).max() == 128)
        #expect(trace.jobs.map(\.submitTime).min() == 0)
        #expect(Set(trace.jobs.map(\.spec.team)).count == 15)
    }
}
