"""PyTorch peer with CPU automatic mixed precision: pytorch.py's loop with the forward pass
and loss under torch.autocast("cpu", dtype=torch.bfloat16). Workloads 1 and 2."""
import os
import runpy

os.environ["BENCH_TORCH_AUTOCAST"] = "bf16"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch.py"), run_name="__main__")
