"""The floor: a hello-world on our stack. One typer command that validates one small pydantic
model and prints a line with rich. mlops-path's commands are measured as a ratio to this."""

import typer
from pydantic import BaseModel
from rich.console import Console

app = typer.Typer()


class Greeting(BaseModel):
    name: str
    times: int = 1


@app.command()
def hello(name: str = "world") -> None:
    greeting = Greeting(name=name)
    Console().print(f"Hello, [bold]{greeting.name}[/bold]! x{greeting.times}")


if __name__ == "__main__":
    app()
