# generation is refused by name until the engine has a KV cache
ft-eval --generate --model x --data y
