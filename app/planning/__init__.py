"""Planning for State agents: replay a year (or N) of new measures against the offer of professionals, in memory,
with the engine or e-MJPM's sorts, and measure distances, capacity and occupancy spread."""
