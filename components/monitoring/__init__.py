"""The monitoring layer: kube-prometheus-stack, and the monitors that scrape model servers and GPUs."""
