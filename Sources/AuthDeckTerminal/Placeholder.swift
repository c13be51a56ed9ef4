// placeholder until its issue
