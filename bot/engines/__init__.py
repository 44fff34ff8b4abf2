"""The engines: adapters that turn a profile into a roadmap. They may do network work (the OpenAI engine) and
process work (the compute pool), which is why they sit outside the pure domain in bot/roadmap/."""
