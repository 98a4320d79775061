print("benchmarks: see Benchmarks/run")
