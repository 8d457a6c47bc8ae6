"""Request rate limits shared by every worker and instance: fixed-window counters in the service's database."""
